"""Thinkless-1.5B (Vinnnf/Thinkless-1.5B-RL-DeepScaleR): chooses per question between <short> and <think>; the mode
is recorded per sample and its rate in the summary. Evaluated with 5 sampled repeats, temperature 0.6, top_p 0.95,
16384 new tokens; its token cost is all generated tokens (`tokens.generated`)."""

from wisebench.reasoner.backend import GenerationSettings
from wisebench.text.spec import TextModelSpec

THINKLESS_INSTRUCTION = "Please reason step by step, and put your final answer within \\boxed{}.\n{question}"
THINKLESS_GENERATION = GenerationSettings(max_new_tokens=16384, do_sample=True, temperature=0.6, top_p=0.95)
THINKLESS_REPEATS = 5

SPEC = TextModelSpec(
    name="thinkless-1.5b",
    checkpoint="Vinnnf/Thinkless-1.5B-RL-DeepScaleR",
    instruction=THINKLESS_INSTRUCTION,
    mode_tokens=("<short>", "<think>"),
    generation=THINKLESS_GENERATION,
    repeats=THINKLESS_REPEATS,
    source="Thinkless paper / repository (VainF/Thinkless)",
)
