"""DeepSeek-R1-Distill-Qwen-1.5B: the base of Thinkless, evaluated with Thinkless' setting (its instruction before
the question, never added twice, temperature 0.6, top_p 0.95, 32768 new tokens, 5 sampled repeats, Thinkless' token
count), so the two compare on one setting. Reasoning before </think> (the chat template opens <think>)."""

from wisebench.text.models.thinkless_1_5b import THINKLESS_GENERATION, THINKLESS_INSTRUCTION, THINKLESS_REPEATS
from wisebench.text.spec import TextModelSpec

SPEC = TextModelSpec(
    name="r1-distill-qwen-1.5b",
    checkpoint="deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B",
    instruction=THINKLESS_INSTRUCTION,
    generation=THINKLESS_GENERATION,
    token_convention="thinkless",
    repeats=THINKLESS_REPEATS,
    source="Thinkless repository's evaluation setting (VainF/Thinkless run_eval.sh: lm-eval, 5 repeats)",
)
