"""`lm-eval:TASK` suites: a task lm-eval knows by name, a packaged recipe (`lm-eval:verithinker/aime24`), or a task
YAML given by path (offline over local data)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wisebench.errors import DatasetNotFoundError, WisebenchError
from wisebench.text.protocol import TaskProtocol, read_protocol
from wisebench.text.recipes import recipe_names, recipe_yaml

SUITE_PREFIX = "lm-eval:"


def is_text_suite(suite: str) -> bool:
    return suite.strip().lower().startswith(SUITE_PREFIX)


@dataclass
class LoadedTask:
    name: str
    source: str  # the task name, or the YAML's absolute path
    include_path: str | None
    doc_ids: list[int]
    contexts: dict[int, str]  # doc id -> lm-eval's prompt text, for the samples fingerprint
    split: str
    protocol: TaskProtocol


def _yaml_task_name(path: Path) -> str:
    match = re.search(r"^task:\s*['\"]?([^'\"\s#]+)", path.read_text(encoding="utf-8"), re.MULTILINE)
    if not match:
        raise WisebenchError(f"{path}: no `task:` name in this lm-eval task YAML")
    return match.group(1)


def yaml_path(suite: str) -> Path | None:
    """The task YAML an `lm-eval:PATH.yaml` suite names (as written), or None for `lm-eval:NAME`."""
    path = Path(suite.strip()[len(SUITE_PREFIX) :]).expanduser()
    return path if path.suffix in (".yaml", ".yml") else None


def task_reference(suite: str) -> tuple[str, str | None]:
    """(task name, include folder or None) for `lm-eval:NAME`, `lm-eval:FAMILY/BENCHMARK` (a recipe) or
    `lm-eval:PATH.yaml`."""
    reference = suite.strip()[len(SUITE_PREFIX) :]
    path = yaml_path(suite) or recipe_yaml(reference)
    if path is not None:
        if not path.exists():
            raise WisebenchError(f"lm-eval task YAML {path} does not exist")
        return _yaml_task_name(path), str(path.resolve().parent)
    if not reference:
        raise WisebenchError("name a task after lm-eval:, e.g. lm-eval:gsm8k, lm-eval:verithinker/aime24 or lm-eval:path/to/task.yaml")
    if "/" in reference:
        raise WisebenchError(f"no recipe {reference!r}: the packaged recipes are {', '.join(recipe_names())}")
    return reference, None


@functools.lru_cache(maxsize=8)
def task_manager(include_path: str | None) -> Any:
    """lm-eval's task index, built once per include folder and process: indexing lm-eval's own tasks takes seconds,
    and a run asks for a fresh Task once per repeat (and again to re-score truncated chains)."""
    try:
        from lm_eval.tasks import TaskManager
    except ImportError as error:
        raise WisebenchError("lm-eval suites need the `lmeval` extra: pip install 'wisebench[lmeval]'") from error
    # A local YAML needs none of lm-eval's own tasks, and indexing them all takes seconds.
    return TaskManager(include_path=include_path, include_defaults=include_path is None)


def build_task(name: str, include_path: str | None) -> Any:
    """A fresh lm-eval Task object; data missing offline is one message saying how to point at a local copy."""
    try:
        loaded = task_manager(include_path).load([name])
    except Exception as error:
        if "not found" in str(error).lower() or isinstance(error, KeyError):
            raise WisebenchError(f"lm-eval knows no task {name!r}: give a task name (`lm_eval ls tasks`) or a task YAML path") from error
        raise DatasetNotFoundError(
            f"lm-eval task {name!r}",
            "its dataset in the Hugging Face datasets cache or on the hub",
            f"Loading failed ({type(error).__name__}: {str(error)[:200]}). Where you have network run it once to fill "
            "HF_DATASETS_CACHE, or copy the task YAML with `dataset_path: json` and "
            "`dataset_kwargs: {data_files: {test: LOCAL.json}}` and pass --suite lm-eval:PATH.yaml",
        ) from error
    task = loaded["tasks"].get(name)
    if task is None:  # a group or tag: one task per suite keeps one record per document
        raise WisebenchError(f"{name!r} is an lm-eval group; name one of its tasks: {', '.join(map(str, loaded['tasks']))}")
    if task.config.output_type != "generate_until":
        raise WisebenchError(f"lm-eval task {name!r} is {task.config.output_type}; text reasoning suites need generate_until tasks")
    task.protocol = read_protocol(task.config, from_yaml=include_path is not None)
    # wisebench runs the task's repeats itself (one record, one seed each): lm-eval asks once per document.
    task.config.repeats = 1
    return task


def load_task(suite: str, limit: int | None) -> LoadedTask:
    name, include_path = task_reference(suite)
    task = build_task(name, include_path)
    docs = list(task.eval_docs)
    doc_ids = list(range(len(docs)))[:limit] if limit is not None else list(range(len(docs)))
    contexts = {doc_id: str(task.doc_to_text(docs[doc_id])) for doc_id in doc_ids}
    split = task.config.test_split or task.config.validation_split or "test"
    source = str(Path(include_path) / f"{name}") if include_path else name
    return LoadedTask(name=name, source=source, include_path=include_path, doc_ids=doc_ids, contexts=contexts, split=split, protocol=task.protocol)
