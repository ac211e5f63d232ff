"""Thinkless-1.5B (Vinnnf/Thinkless-1.5B-RL-DeepScaleR): chooses per question between <short> and <think>; the mode
is recorded per sample and its rate in the summary. Defaults follow its repository (VainF/Thinkless at aa225d2):
the instruction before the question (eval_configs/deepseek/*/ doc_to_text; not added again where the task's prompt
holds it), 5 sampled repeats (run_eval.sh:5-7), temperature 0.6, top_p 0.95, 32768 new tokens (the YAMLs'
max_gen_toks); headline tokens are Thinkless' count, the chat template over prompt + response. The recipes
`lm-eval:thinkless/math500` etc. run its scripts/eval scorers; other lm-eval tasks score with lm-eval's."""

from wisebench.reasoner.backend import GenerationSettings
from wisebench.text.spec import TextModelSpec

THINKLESS_INSTRUCTION = "Please reason step by step, and put your final answer within \\boxed{}.\n{question}"
THINKLESS_GENERATION = GenerationSettings(max_new_tokens=32768, do_sample=True, temperature=0.6, top_p=0.95)
THINKLESS_REPEATS = 5

SPEC = TextModelSpec(
    name="thinkless-1.5b",
    checkpoint="Vinnnf/Thinkless-1.5B-RL-DeepScaleR",
    instruction=THINKLESS_INSTRUCTION,
    mode_tokens=("<short>", "<think>"),
    generation=THINKLESS_GENERATION,
    token_convention="thinkless",
    repeats=THINKLESS_REPEATS,
    source="Thinkless paper / repository (VainF/Thinkless)",
)
