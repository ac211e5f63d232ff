"""TextAdapter: a text reasoner as a run-loop adapter. A batch of TextDocuments becomes one generation each, with the
spans and the token counts under every convention taken with the model's own tokenizer; the task's scorer
(text/scorer.py) then scores each one as lm-eval would."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Any, Iterable, Iterator

from wisebench.adapters.base import Adapter, ModelOptions
from wisebench.text.backend import NO_OPTIONS, TextBackend, build_backend
from wisebench.text.budget_forcing import TextBudgetForcer
from wisebench.text.conventions import TokenCounter
from wisebench.text.protocol import Resolved, TaskProtocol
from wisebench.text.spans import entry_spans
from wisebench.text.spec import TextModelSpec
from wisebench.text.stops import TextRequest
from wisebench.text.suite import TextDocument
from wisebench.text.task import LoadedTask


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]  # a lone surrogate must not stop a run


class TextAdapter(Adapter):
    warmup_batches = 0  # generation time is each request's share of its batch; nothing is compiled ahead

    def __init__(self, options: ModelOptions, task: LoadedTask, resolved: Resolved, backend: TextBackend | None = None):
        super().__init__(options)
        self.spec: TextModelSpec = resolved.spec
        self.name = self.spec.name
        self.task, self.resolved = task, resolved
        self.protocol: TaskProtocol = task.protocol
        self.backend = backend or build_backend(self.spec, options)
        self.counter = TokenCounter(self.backend.tokenizer(), self.backend.chat_text)
        # --set think_budget: chains grown budget by budget and answered after a forced close
        self.forcer = TextBudgetForcer(self.backend, self.spec, self._options()) if self.spec.think_budgets else None

    def prompt_text(self, sample: TextDocument) -> str:  # type: ignore[override]
        return self.spec.prompt(sample.query, self.protocol.prompt_is_complete)

    def prompt_hash(self, sample: TextDocument) -> str:  # type: ignore[override]
        return text_hash(self.backend.chat_text(self.prompt_text(sample)))

    def predict(self, samples: list[TextDocument]) -> list[dict[str, Any]]:  # type: ignore[override]
        """One generation entry per document, in order. Repeats of a sampled spec each get their own seed."""
        entries: list[dict[str, Any] | None] = [None] * len(samples)
        for repeat in sorted({sample.repeat for sample in samples}):
            indices = [index for index, sample in enumerate(samples) if sample.repeat == repeat]
            for index, entry in zip(indices, self._generate([samples[index] for index in indices], repeat)):
                entries[index] = entry
        return [entry for entry in entries if entry is not None]

    def _settings(self, repeat: int):
        settings = self.spec.generation
        # Each repeat samples with its own seed, reproducibly.
        return replace(settings, seed=settings.seed + repeat) if settings.do_sample else settings

    def _options(self) -> TextRequest:
        return TextRequest(stop=self.spec.stop, prompt_special_tokens=self.protocol.prompt_special_tokens)

    def _generate(self, documents: list[TextDocument], repeat: int) -> list[dict[str, Any]]:
        prompts = [self.prompt_text(document) for document in documents]
        settings, options = self._settings(repeat), self._options()
        if self.forcer is not None:
            generations = self.forcer.generate(documents, prompts, settings)
        elif options == NO_OPTIONS:  # backends written before TextRequest (test stand-ins) take two arguments
            generations = self.backend.generate(prompts, settings)
        else:
            generations = self.backend.generate(prompts, settings, options)
        return [self._entry(document, prompt, generation) for document, prompt, generation in zip(documents, prompts, generations)]

    def can_stream(self) -> bool:
        can_stream = getattr(self.backend, "can_stream", None)
        return self.forcer is None and bool(can_stream and can_stream())  # forced chains grow in batched calls

    def stream(self, samples: Iterable[TextDocument], group_size: int, window: int) -> Iterator[tuple[list[TextDocument], list[dict[str, Any]]]]:  # type: ignore[override]
        """Every pending document through a continuous-batching backend (vLLM), `window` at once; generations
        handed on in groups of `group_size` as they finish."""
        # Each item's key carries its prompt, so the entry is built from the prompt that was sent.
        items = (((document, prompt), prompt, self._settings(document.repeat)) for document in samples for prompt in [self.prompt_text(document)])
        ready: list[tuple[TextDocument, dict[str, Any]]] = []
        for finished in self.backend.generate_stream(items, self._options(), window):
            ready.extend((document, self._entry(document, prompt, generation)) for (document, prompt), generation in finished)
            while len(ready) >= group_size:
                group, ready = ready[:group_size], ready[group_size:]
                yield [document for document, _ in group], [entry for _, entry in group]
        if ready:
            yield [document for document, _ in ready], [entry for _, entry in ready]

    def _entry(self, document: TextDocument, prompt: str, generation: Any) -> dict[str, Any]:
        entry = {
            "sample_id": document.sample_id,
            "doc_id": document.doc_id,
            "repeat": document.repeat,
            "context": document.query,
            "prompt": prompt,
            "until": list(document.until),
            "raw_text": generation.text,
            "prompt_tokens": generation.prompt_tokens,
            "generated_tokens": generation.generated_tokens,
            "finish_reason": generation.finish_reason,
            "stop_string": generation.extra.get("stop_string"),
            "seconds": generation.seconds,
            "request_timings": generation.request_timings(),
        }
        if document.think_budget is not None:
            entry.update(think_budget=document.think_budget, forced_close=bool(generation.extra.get("forced_close")))
        spans = entry_spans(self.spec, entry)
        entry["tokens"] = {
            "prompt": generation.prompt_tokens,
            "reasoning": self.counter.plain(spans.reasoning),
            "answer": self.counter.plain(spans.answer),
            "generated": generation.generated_tokens,
            "conventions": self.counter.conventions(spans.reasoning, prompt, generation.text),
        }
        return entry

    def describe(self) -> dict[str, Any]:
        # "backend" names the one that ran (a stand-in reports its own name), not the configured one.
        return {**self.spec.describe(), "backend": self.backend.name, "weights": self.backend.fingerprint(), "lm_eval_task": self.task.source, **protocol_description(self.spec, self.task, self.resolved)}

    def close(self) -> None:
        self.backend.close()


def protocol_description(spec: TextModelSpec, task: LoadedTask, resolved: Resolved) -> dict[str, Any]:
    """What run.json records of how the task was run: recipe, scorer, token convention, where each setting came
    from, and whether the model's instruction was added to the task's prompts (never twice)."""
    protocol = task.protocol
    added = sum(spec.prompt(context, protocol.prompt_is_complete) != context for context in task.contexts.values())
    return {
        "recipe": protocol.recipe,
        "upstream": protocol.upstream,
        "parse_policy": protocol.parse_policy,
        "scored_text": protocol.scored_text,
        "prompt_special_tokens": protocol.prompt_special_tokens,
        "instruction": {"added": added, "already_in_task_prompt": len(task.contexts) - added},
        "generation_budget": {"max_new_tokens": spec.generation.max_new_tokens, "source": resolved.sources["max_new_tokens"]},
        "setting_sources": resolved.sources,
        "task_fingerprint": task.fingerprint(),
    }
