"""VeriThinker-7B (Zigeng/R1-VeriThinker-7B): R1-Distill-Qwen-7B fine-tuned on CoT verification. Evaluated as its
repository's eval_math500.py / eval_aime24.py / eval_aime25.py do: the question, then " Please reason step by step,
and put your final answer within \\boxed{}." in one user turn; temperature 0.6, top_p 0.95, 16384 new tokens, a
seed; AIME sampled 10 times per problem, MATH500 once. Their token cost is the text up to "</think>" (they stop
there and read the boxed answer inside the chain); wisebench lets the model answer after it, so lm-eval scores the
answer span, and reports the chain before "</think>" as reasoning tokens."""

from wisebench.reasoner.backend import GenerationSettings
from wisebench.text.spec import TextModelSpec

R1_SUFFIX_INSTRUCTION = "{question} Please reason step by step, and put your final answer within \\boxed{}."
VERITHINKER_GENERATION = GenerationSettings(max_new_tokens=16384, do_sample=True, temperature=0.6, top_p=0.95)
VERITHINKER_TASK_REPEATS = {"aime24": 10, "aime25": 10}

SPEC = TextModelSpec(
    name="verithinker-7b",
    checkpoint="Zigeng/R1-VeriThinker-7B",
    instruction=R1_SUFFIX_INSTRUCTION,
    generation=VERITHINKER_GENERATION,
    task_repeats=VERITHINKER_TASK_REPEATS,
    source="VeriThinker repository (czg1225/VeriThinker eval_*.py)",
)
