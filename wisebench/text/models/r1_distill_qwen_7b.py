"""DeepSeek-R1-Distill-Qwen-7B: the base of VeriThinker. DeepSeek's card: temperature 0.6, top_p 0.95, reasoning
before </think> (the chat template opens <think>), 32768 new tokens."""

from wisebench.reasoner.backend import GenerationSettings
from wisebench.text.spec import TextModelSpec

SPEC = TextModelSpec(
    name="r1-distill-qwen-7b",
    checkpoint="deepseek-ai/DeepSeek-R1-Distill-Qwen-7B",
    instruction="Please reason step by step, and put your final answer within \\boxed{}.\n{question}",
    generation=GenerationSettings(max_new_tokens=32768, do_sample=True, temperature=0.6, top_p=0.95),
    source="DeepSeek-R1 model card (usage recommendations)",
)
