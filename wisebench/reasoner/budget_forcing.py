"""Budget forcing (s1-style): the reasoner may think for at most t tokens, then the harness closes the reasoning tag,
opens the answer tag and lets the model answer. `--set think_budget=64,128,256` evaluates every sample at every budget
in one run: one record per sample and budget (sample id `<id>@think<t>`, subset `think_budget=<t>`).

The reasoning is one chain per sample, grown budget by budget: the first t_1 tokens are generated once, and each larger
budget continues the chain from where the previous one stopped (only t_k - t_(k-1) new tokens), so the prefix up to the
smallest budget is shared, never regenerated. A chain the model closes itself before a budget is complete for every
larger budget. The harness opens the reasoning tag itself, so every generated reasoning token counts against t.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from wisebench.errors import WisebenchError
from wisebench.reasoner.backend import Generation, GenerationRequest, GenerationSettings, ReasonerBackend

BUDGET_KEY = "think_budget"  # in Sample.extra and in --set
DEFAULT_ANSWER_TOKENS = 128  # room for the answer after the forced close (--set answer_max_new_tokens=...)


def parse_budgets(value: Any) -> tuple[int, ...]:
    """'64,128,256' (or one int) -> (64, 128, 256): positive, distinct, ascending."""
    parts = value if isinstance(value, (list, tuple)) else str(value).split(",")
    try:
        budgets = sorted({int(str(part).strip()) for part in parts if str(part).strip()})
    except ValueError as error:
        raise WisebenchError(f"think_budget={value!r}: expected positive token counts separated by commas, e.g. 64,128,256") from error
    if not budgets or budgets[0] <= 0:
        raise WisebenchError(f"think_budget={value!r}: expected positive token counts separated by commas, e.g. 64,128,256")
    return tuple(budgets)


def budget_sample_id(sample_id: str, budget: int) -> str:
    """A sample's id at one forced budget (both families)."""
    return f"{sample_id}@think{budget}"


def budget_subset(budget: int) -> str:
    """The subset a budget's records are summarized in (both families): the accuracy-against-budget curve."""
    return f"{BUDGET_KEY}={budget}"


def within_budget(tokenizer: Any, reasoning: str, budget: int) -> str:
    """The reasoning cut to at most `budget` tokens of the model's own tokenizer, counted as the records count the
    span (stripped); decoded text re-encoded can count a token more, so the cut backs off until it fits."""
    ids = tokenizer.encode(reasoning, add_special_tokens=False)
    limit = len(ids)
    while len(tokenizer.encode(reasoning.strip(), add_special_tokens=False)) > budget and limit > 0:
        limit = min(limit - 1, budget)
        reasoning = tokenizer.decode(ids[:limit], skip_special_tokens=False)
    return reasoning


def budget_samples(samples: list[Any], budgets: tuple[int, ...]) -> list[Any]:
    """Each sample once per budget, its budgets next to each other (so a batch usually holds a whole chain)."""
    return [
        replace(sample, sample_id=budget_sample_id(sample.sample_id, budget), subsets=tuple(sample.subsets) + (budget_subset(budget),),
                extra={**sample.extra, BUDGET_KEY: budget, "base_sample_id": sample.sample_id})
        for sample in samples
        for budget in budgets
    ]


@dataclass
class Chain:
    """One sample's reasoning so far, shared by its budgets."""

    reasoning: str = ""
    tokens: int = 0  # reasoning tokens generated so far
    ended: bool = False  # the model closed the reasoning (or stopped) by itself
    prompt_tokens: int = 0
    seconds: float = 0.0


@dataclass
class ForcedItem:
    key: str  # the base sample id: the chain it extends
    budget: int
    request: GenerationRequest  # the sample's image and prompt


class BudgetForcer:
    """Grows each sample's chain to each budget and answers after it. Chains live until the sample's largest
    budget is answered, so a chain split over two batches is still generated once."""

    def __init__(self, backend: ReasonerBackend, settings: GenerationSettings, reasoning_tag: str, answer_tag: str, answer_tokens: int = DEFAULT_ANSWER_TOKENS):
        self.backend, self.settings = backend, settings
        self.open, self.close = f"<{reasoning_tag}>", f"</{reasoning_tag}>"
        self.answer_open = f"<{answer_tag}>"
        self.answer_tokens = answer_tokens
        self.chains: dict[str, Chain] = {}

    def generate(self, items: list[ForcedItem], largest: dict[str, int]) -> list[Generation]:
        """One Generation per item (reasoning, forced close, answer), in order; `largest[key]`: the sample's largest budget."""
        answers: dict[int, Generation] = {}
        for budget in sorted({item.budget for item in items}):  # grow, then answer, before a larger budget grows on
            indices = [index for index, item in enumerate(items) if item.budget == budget]
            self._grow([items[index] for index in indices], budget)
            answers.update(zip(indices, self._answer([items[index] for index in indices])))
        for item in items:
            if item.budget >= largest[item.key]:
                self.chains.pop(item.key, None)
        return [answers[index] for index in range(len(items))]

    def _grow(self, items: list[ForcedItem], budget: int) -> None:
        """Every open chain of these items extended to `budget` tokens, in one batched call."""
        growing = {item.key: item for item in items if not self._chain(item.key).ended and self.chains[item.key].tokens < budget}
        if not growing:
            return
        keys = list(growing)
        requests = [replace(growing[key].request, assistant_prefix=self.open + self.chains[key].reasoning) for key in keys]
        steps = [budget - self.chains[key].tokens for key in keys]
        # One call per step length: a batch shares max_new_tokens (chains at different lengths after earlier ends).
        for step in sorted(set(steps)):
            indices = [index for index, value in enumerate(steps) if value == step]
            generations = self.backend.generate([requests[index] for index in indices], replace(self.settings, max_new_tokens=step))
            for index, generation in zip(indices, generations):
                self._extend(self.chains[keys[index]], generation)

    def _chain(self, key: str) -> Chain:
        return self.chains.setdefault(key, Chain())

    def _extend(self, chain: Chain, generation: Generation) -> None:
        text = generation.text
        chain.tokens += generation.generated_tokens
        chain.prompt_tokens = chain.prompt_tokens or generation.prompt_tokens
        chain.seconds += generation.seconds
        if self.close in text:
            text, chain.ended = text[: text.index(self.close)], True
        elif generation.finish_reason == "stop":
            chain.ended = True  # the model stopped without closing: nothing more to grow
        chain.reasoning += text

    def _answer(self, items: list[ForcedItem]) -> list[Generation]:
        """The reasoning closed, the answer tag opened, the answer generated: one batched call."""
        prefixes = [f"{self.open}{self._reasoning_within(item)}{self.close}\n{self.answer_open}" for item in items]
        requests = [replace(item.request, assistant_prefix=prefix) for item, prefix in zip(items, prefixes)]
        answers = self.backend.generate(requests, replace(self.settings, max_new_tokens=self.answer_tokens)) if requests else []
        generations = []
        for item, prefix, answer in zip(items, prefixes, answers):
            chain = self.chains[item.key]
            reasoning_generated = chain.tokens  # grown to this budget at most: the prefix shared with smaller ones included
            generations.append(Generation(
                text=prefix + answer.text,
                prompt_tokens=chain.prompt_tokens or answer.prompt_tokens,
                generated_tokens=reasoning_generated + answer.generated_tokens,
                finish_reason=answer.finish_reason,
                seconds=chain.seconds + answer.seconds,
                extra={BUDGET_KEY: item.budget, "forced_close": not chain.ended, "answer_tokens": answer.generated_tokens},
            ))
        return generations

    def _reasoning_within(self, item: ForcedItem) -> str:
        return within_budget(self.backend.tokenizer(), self.chains[item.key].reasoning, item.budget)


__all__ = ["BUDGET_KEY", "budget_sample_id", "budget_subset", "within_budget", "BudgetForcer", "ForcedItem", "budget_samples", "parse_budgets"]
