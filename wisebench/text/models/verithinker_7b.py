"""VeriThinker-7B (Zigeng/R1-VeriThinker-7B): R1-Distill-Qwen-7B fine-tuned on CoT verification. Evaluated on
MATH500 and AIME24/25 with the R1 recipe (temperature 0.6, top_p 0.95, reasoning before </think>)."""

from wisebench.reasoner.backend import GenerationSettings
from wisebench.text.spec import TextModelSpec

SPEC = TextModelSpec(
    name="verithinker-7b",
    checkpoint="Zigeng/R1-VeriThinker-7B",
    instruction="Please reason step by step, and put your final answer within \\boxed{}.\n{question}",
    generation=GenerationSettings(max_new_tokens=32768, do_sample=True, temperature=0.6, top_p=0.95),
    source="VeriThinker paper / repository (czg1225/VeriThinker)",
)
