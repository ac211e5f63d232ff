"""Token conventions of text runs: every record holds its count under each (prediction.tokens.conventions); the run's
`token_convention` names the one its summary reports as `tokens.reasoning` (the paper-comparable figure).

- wisebench: the reasoning span (text before </think>, stripped), add_special_tokens=False.
- verithinker: len(tokenizer.encode(response)) with the tokenizer's default special tokens (BOS for R1-distill
  tokenizers), the response being the text as generated, spaces kept, ending before the stop string
  (VeriThinker eval_aime24.py:66-68, eval_aime25.py:66-68, eval_math500.py:69-71).
- thinkless: the chat template tokenized over [user: the chat-templated prompt, assistant: response] — the prompt
  being lm-eval's context after --apply_chat_template — so prompt and template tokens count too (Thinkless
  scripts/eval/eval_aime.py:22,32-39, eval_math500.py:63,72-78). The template decides what of the response counts
  (DeepSeek-R1's drops an assistant turn's text before </think>). None without a chat template.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from wisebench.text.spec import TEXT_CONVENTIONS


@dataclass(frozen=True)
class TokenCounter:
    tokenizer: Any  # the model's own
    chat_text: Callable[[str], str]  # the backend's chat template over one user turn, ready for the reply

    def plain(self, text: str) -> int:
        return len(self.tokenizer.encode(text, add_special_tokens=False)) if text else 0

    def verithinker(self, response: str) -> int:
        return len(self.tokenizer.encode(response))

    def thinkless(self, prompt: str, response: str) -> int | None:
        if not getattr(self.tokenizer, "chat_template", None):
            return None
        conversation = [{"role": "user", "content": self.chat_text(prompt)}, {"role": "assistant", "content": response}]
        ids = self.tokenizer.apply_chat_template(conversation, tokenize=True)
        if hasattr(ids, "keys"):  # transformers 5 returns a BatchEncoding
            ids = ids["input_ids"]
        return len(ids)

    def conventions(self, reasoning: str, prompt: str, response: str) -> dict[str, int | None]:
        counts = {"wisebench": self.plain(reasoning), "verithinker": self.verithinker(response), "thinkless": self.thinkless(prompt, response)}
        assert tuple(counts) == TEXT_CONVENTIONS
        return counts
