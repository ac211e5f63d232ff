"""Budget forcing for text reasoners (s1-style), the text sibling of reasoner/budget_forcing.py: the model may think
for at most t tokens; then the harness writes the close tag ("</think>") and the model answers.

Each (document, repeat) has one reasoning chain, grown budget by budget: the first t_1 tokens are generated once and
each larger budget continues the chain from where the previous one stopped (only t_k - t_(k-1) new tokens, through
TextRequest.continuations), so the prefix up to the smallest budget is shared, never regenerated. A chain the model
closes (or ends) by itself before a budget is complete for every larger budget. R1-style chat templates open
"<think>" in the generation prompt; where a template does not, the harness opens it, so every reasoning token the
model writes counts against t.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from wisebench.reasoner.backend import Generation, GenerationSettings
from wisebench.reasoner.budget_forcing import Chain, within_budget  # the same chain and cut for both families
from wisebench.text.spec import TextModelSpec
from wisebench.text.stops import TextRequest
from wisebench.text.suite import TextDocument


class TextBudgetForcer:
    """Grows each chain to each budget and answers after it. Chains live until their largest budget is answered,
    so a chain split over two batches is still generated once."""

    def __init__(self, backend: Any, spec: TextModelSpec, options: TextRequest):
        self.backend, self.spec, self.options = backend, spec, options
        self.close = spec.close_tag
        self.chains: dict[str, Chain] = {}

    def generate(self, documents: list[TextDocument], prompts: list[str], settings: GenerationSettings) -> list[Generation]:
        """One Generation per document (reasoning within its budget, the forced close, the answer), in order."""
        answers: dict[int, Generation] = {}
        for budget in sorted({document.think_budget for document in documents}):  # grow, answer, then grow on
            indices = [index for index, document in enumerate(documents) if document.think_budget == budget]
            self._grow([documents[index] for index in indices], [prompts[index] for index in indices], budget, settings)
            answers.update(zip(indices, self._answer([documents[index] for index in indices], [prompts[index] for index in indices], settings)))
        largest = max(self.spec.think_budgets)
        for document in documents:
            if document.think_budget >= largest:
                self.chains.pop(document.chain_id, None)
        return [answers[index] for index in range(len(documents))]

    def opening(self, prompt: str) -> str:
        """What the harness writes before the reasoning: nothing where the chat template opened the chain itself."""
        opened = self.backend.chat_text(prompt).rstrip().endswith(self.spec.open_tag) if self.spec.open_tag else True
        return "" if opened else f"{self.spec.open_tag}\n"

    def _grow(self, documents: list[TextDocument], prompts: list[str], budget: int, settings: GenerationSettings) -> None:
        """Every open chain of these documents extended to `budget` tokens: one batched call per step length."""
        growing = {}
        for document, prompt in zip(documents, prompts):
            chain = self.chains.setdefault(document.chain_id, Chain())
            if not chain.ended and chain.tokens < budget:
                growing[document.chain_id] = (prompt, budget - chain.tokens)
        stop = tuple(dict.fromkeys((*self.options.stop, self.close)))  # the model closing its chain ends the growth
        for step in sorted({step for _, step in growing.values()}):
            keys = [key for key, (_, value) in growing.items() if value == step]
            chat_prompts = [growing[key][0] for key in keys]
            continuations = tuple(self.opening(prompt) + self.chains[key].reasoning for key, prompt in zip(keys, chat_prompts))
            request = replace(self.options, stop=stop, continuations=continuations)
            for key, generation in zip(keys, self.backend.generate(chat_prompts, replace(settings, max_new_tokens=step), request)):
                self._extend(self.chains[key], generation)

    def _extend(self, chain: Chain, generation: Generation) -> None:
        text = generation.text
        chain.tokens += generation.generated_tokens
        chain.prompt_tokens = chain.prompt_tokens or generation.prompt_tokens
        chain.seconds += generation.seconds
        if self.close and self.close in text:
            text, chain.ended = text[: text.index(self.close)], True
        elif generation.extra.get("stop_string") or generation.finish_reason == "stop":
            chain.ended = True  # closed through a stop string, or stopped without closing: nothing more to grow
        chain.reasoning += text

    def _answer(self, documents: list[TextDocument], prompts: list[str], settings: GenerationSettings) -> list[Generation]:
        """The reasoning cut to its budget, closed by the harness, and the answer generated: one batched call."""
        heads = [f"{self.opening(prompt)}{self._within(document)}\n{self.close}\n\n" for document, prompt in zip(documents, prompts)]
        request = replace(self.options, continuations=tuple(heads))
        answers = self.backend.generate(prompts, replace(settings, max_new_tokens=self.spec.answer_tokens), request) if prompts else []
        generations = []
        for document, head, answer in zip(documents, heads, answers):
            chain = self.chains[document.chain_id]
            generations.append(Generation(
                text=head + answer.text,
                prompt_tokens=chain.prompt_tokens or answer.prompt_tokens,
                generated_tokens=chain.tokens + answer.generated_tokens,  # the shared prefix counted for each budget
                finish_reason=answer.finish_reason,
                seconds=chain.seconds + answer.seconds,
                extra={**answer.extra, "think_budget": document.think_budget, "forced_close": not chain.ended, "answer_tokens": answer.generated_tokens},
            ))
        return generations

    def _within(self, document: TextDocument) -> str:
        return within_budget(self.backend.tokenizer(), self.chains[document.chain_id].reasoning, document.think_budget)
