"""VeriThinker-7B (Zigeng/R1-VeriThinker-7B): R1-Distill-Qwen-7B fine-tuned on CoT verification. Defaults follow its
repository's eval_aime24.py / eval_aime25.py / eval_math500.py (czg1225/VeriThinker at 59204f2): the question, then
" Please reason step by step, and put your final answer within \\boxed{}." in one user turn (:45-48); temperature
0.6, top_p 0.95, 16384 new tokens, generation stopped at "\\n</think>" (:32-33); AIME sampled 8 times per problem
(:13-14), MATH500 once. A chain stopped there is scored as a whole (the answer is read from the chain), and the
headline tokens are VeriThinker's len(tokenizer.encode(response)). The recipes `lm-eval:verithinker/aime24` etc.
run the scripts' own scorers; other lm-eval tasks score with lm-eval's."""

from wisebench.reasoner.backend import GenerationSettings
from wisebench.text.spec import TextModelSpec

R1_SUFFIX_INSTRUCTION = "{question} Please reason step by step, and put your final answer within \\boxed{}."
VERITHINKER_GENERATION = GenerationSettings(max_new_tokens=16384, do_sample=True, temperature=0.6, top_p=0.95)
VERITHINKER_STOP = ("\n</think>",)
# lm-eval's own AIME tasks and the recipes' task names (a recipe's YAML names its repeats itself).
VERITHINKER_TASK_REPEATS = {"aime24": 8, "aime25": 8}

SPEC = TextModelSpec(
    name="verithinker-7b",
    checkpoint="Zigeng/R1-VeriThinker-7B",
    instruction=R1_SUFFIX_INSTRUCTION,
    generation=VERITHINKER_GENERATION,
    stop=VERITHINKER_STOP,
    token_convention="verithinker",
    task_repeats=VERITHINKER_TASK_REPEATS,
    source="VeriThinker repository (czg1225/VeriThinker eval_*.py)",
)
