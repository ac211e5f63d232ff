"""WisebenchLM: the lm_eval LM object. lm-eval hands it generate_until requests; it answers each from the
generation log (resume) or by generating in batches, and hands back the text lm-eval should score: the answer span
(cut at lm-eval's stop sequences), or the whole response where the task's scorer reads it (recipes) or the chain was
stopped by a stop string; for a truncated chain "" (strict) or the raw text (lenient)."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Any

from lm_eval.api.model import LM

from wisebench.text.backend import NO_OPTIONS, TextBackend
from wisebench.text.generation_log import GenerationLog, sample_key
from wisebench.text.protocol import TaskProtocol
from wisebench.text.spans import Spans, cut_at_stop_sequences, split_reasoning
from wisebench.text.spec import TextModelSpec
from wisebench.text.stops import TextRequest


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def entry_spans(spec: TextModelSpec, entry: dict[str, Any]) -> Spans:
    """A logged generation's spans; a chain stopped by a stop string holding the close tag ("\\n</think>") closed."""
    text, stop = entry["raw_text"], entry.get("stop_string")
    if stop and spec.close_tag and spec.close_tag in stop:
        text += stop
    return split_reasoning(text, entry["finish_reason"], spec.open_tag, spec.close_tag, spec.mode_tokens)


def scored_text(spec: TextModelSpec, entry: dict[str, Any], policy: str, scored: str = "answer") -> str:
    spans = entry_spans(spec, entry)
    if spans.truncated:
        return entry["raw_text"] if policy == "lenient" else ""
    if scored == "response" or entry.get("stop_string"):
        return entry["raw_text"]
    return cut_at_stop_sequences(spans.answer, entry.get("until") or [])


class WisebenchLM(LM):
    def __init__(
        self,
        spec: TextModelSpec,
        backend: TextBackend | None,
        log: GenerationLog,
        logged: dict[str, dict],
        repeat: int,
        batch_size: int,
        policy: str,
        doc_ids: list[int],
        protocol: TaskProtocol | None = None,
    ):
        super().__init__()
        # lm-eval numbers the requests of a `samples=` selection 0..n-1; its logged samples carry the true doc ids.
        self.doc_ids = doc_ids
        self.spec, self.backend, self.log, self.logged = spec, backend, log, logged
        self.repeat, self.batch_size, self.policy = repeat, batch_size, policy
        self.protocol = protocol or TaskProtocol()

    def loglikelihood(self, requests: list[Any]) -> list[tuple[float, bool]]:
        raise NotImplementedError("wisebench text suites are generate_until tasks only")

    def loglikelihood_rolling(self, requests: list[Any]) -> list[float]:
        raise NotImplementedError("wisebench text suites are generate_until tasks only")

    def generate_until(self, requests: list[Any], disable_tqdm: bool = False) -> list[str]:
        keys = [sample_key(self.doc_ids[request.doc_id], self.repeat, self.spec.repeats) for request in requests]
        pending = [(key, request) for key, request in zip(keys, requests) if key not in self.logged]
        for start in range(0, len(pending), self.batch_size):
            self._generate_batch(pending[start : start + self.batch_size])
        return [scored_text(self.spec, self.logged[key], self.policy, self.protocol.scored_text) for key in keys]

    def _generate_batch(self, batch: list[tuple[str, Any]]) -> None:
        if self.backend is None:
            raise RuntimeError("generation needed but no backend was built")
        prompts = [self.spec.prompt(request.args[0], self.protocol.prompt_is_complete) for _, request in batch]
        settings = self.spec.generation
        if settings.do_sample:  # each repeat samples with its own seed, reproducibly
            settings = replace(settings, seed=settings.seed + self.repeat)
        options = TextRequest(stop=self.spec.stop, prompt_special_tokens=self.protocol.prompt_special_tokens)
        # Backends written before TextRequest (test stand-ins) take two arguments; they get none of its options.
        generations = self.backend.generate(prompts, settings) if options == NO_OPTIONS else self.backend.generate(prompts, settings, options)
        entries = []
        for (key, request), prompt, generation in zip(batch, prompts, generations):
            entries.append(
                {
                    "sample_id": key,
                    "doc_id": self.doc_ids[request.doc_id],
                    "repeat": self.repeat,
                    "context": request.args[0],
                    "prompt": prompt,
                    "until": list(request.args[1].get("until") or []) if len(request.args) > 1 else [],
                    "prompt_hash": text_hash(self.backend.chat_text(prompt)),
                    "raw_text": generation.text,
                    "prompt_tokens": generation.prompt_tokens,
                    "generated_tokens": generation.generated_tokens,
                    "finish_reason": generation.finish_reason,
                    "stop_string": generation.extra.get("stop_string"),
                    "seconds": generation.seconds,
                    "request_timings": generation.request_timings(),
                }
            )
        self.log.append(entries)
        self.logged.update({entry["sample_id"]: entry for entry in entries})
