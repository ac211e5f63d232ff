"""DeepSeek-R1-Distill-Qwen-7B: the base of VeriThinker, evaluated with VeriThinker's recipe (its baseline rows:
the same instruction after the question, temperature 0.6, top_p 0.95, 16384 new tokens, stop at "\\n</think>",
AIME x8, VeriThinker's token count), so the two compare on one setting. Reasoning before </think> (the chat
template opens <think>)."""

from wisebench.text.models.verithinker_7b import R1_SUFFIX_INSTRUCTION, VERITHINKER_GENERATION, VERITHINKER_STOP, VERITHINKER_TASK_REPEATS
from wisebench.text.spec import TextModelSpec

SPEC = TextModelSpec(
    name="r1-distill-qwen-7b",
    checkpoint="deepseek-ai/DeepSeek-R1-Distill-Qwen-7B",
    instruction=R1_SUFFIX_INSTRUCTION,
    generation=VERITHINKER_GENERATION,
    stop=VERITHINKER_STOP,
    token_convention="verithinker",
    task_repeats=VERITHINKER_TASK_REPEATS,
    source="VeriThinker repository's evaluation of its base model (czg1225/VeriThinker eval_*.py)",
)
