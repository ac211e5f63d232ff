"""`lm-eval:TASK` suites: a task lm-eval knows by name, a packaged recipe (`lm-eval:verithinker/aime24`), or a task
YAML given by path (offline over local data)."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
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
    contexts: dict[int, str]  # doc id -> lm-eval's prompt text (description and few-shot examples included)
    split: str
    protocol: TaskProtocol
    task: Any = None  # the lm-eval Task object: its filters and process_results score each document
    docs: dict[int, dict] = field(default_factory=dict)  # doc id -> document
    until: dict[int, list[str]] = field(default_factory=dict)  # doc id -> the request's stop sequences

    def fingerprint(self) -> str:
        """What decides this task's requests and scores: its resolved configuration (the `!function` helpers by name
        and source, never by memory address), its wisebench protocol (the YAML's repeats included, which lm-eval's
        config no longer holds once wisebench runs the repeats) and its documents with their prompts. The same task
        gives the same digest in every process; an edited YAML or changed data gives another."""
        config = self.task.dump_config() if self.task is not None else {}
        digest = hashlib.sha256(json.dumps(config, sort_keys=True, default=stable_text).encode("utf-8"))
        digest.update(json.dumps(asdict(self.protocol), sort_keys=True, default=stable_text).encode("utf-8"))
        for doc_id in self.doc_ids:
            digest.update(f"{doc_id}\t{self.contexts[doc_id]}\t{json.dumps(self.docs.get(doc_id), sort_keys=True, default=stable_text)}\n".encode("utf-8"))
        return digest.hexdigest()[:16]


MEMORY_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def stable_text(value: Any) -> str:
    """A value json cannot write, as text that is the same in every process: a function (or a partial of one) by
    module, name and a digest of its source; anything else by its type and its repr without memory addresses."""
    import inspect

    target = getattr(value, "func", value)  # functools.partial: the function it wraps
    if callable(target) and hasattr(target, "__qualname__"):
        try:
            source = hashlib.sha256(inspect.getsource(target).encode("utf-8")).hexdigest()[:16]
        except (OSError, TypeError):
            source = "no-source"
        return f"{getattr(target, '__module__', '?')}.{target.__qualname__}:{source}"
    return f"{type(value).__module__}.{type(value).__qualname__}:{MEMORY_ADDRESS.sub('', repr(value))}"


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


def task_filters(task: Any) -> list[Any]:
    """The task's filter ensembles, built from its configuration as lm-eval builds them (api/task.py: a task
    without filter_list takes the first response)."""
    from lm_eval.filters import build_filter_ensemble

    if task.config.filter_list is None:
        return [build_filter_ensemble("none", [["take_first", None]])]
    ensembles = []
    for entry in task.config.filter_list:
        components = [[function["function"], {key: value for key, value in function.items() if key != "function"}] for function in entry["filter"]]
        ensembles.append(build_filter_ensemble(entry["name"], components))
    return ensembles


def request_for(task: Any, doc_id: int, doc: dict, context: str) -> Any:
    """The document's one generate_until Instance, built by the task as lm-eval's evaluator builds it."""
    instances = task.construct_requests(doc=doc, ctx=context, metadata=(task.config.task, doc_id, 1))
    instances = instances if isinstance(instances, list) else [instances]
    if len(instances) != 1:
        raise WisebenchError(f"lm-eval task {task.config.task!r} makes {len(instances)} requests per document; text suites take one")
    return instances[0]


@functools.lru_cache(maxsize=4)
def load_task(suite: str, limit: int | None, seed: int = 0) -> LoadedTask:
    """The task's documents and their prompts, built once per process (the run loop and its scorer share it). The
    prompt is lm-eval's own (description, few-shot examples drawn with `seed`, gen_prefix), as build_all_requests
    makes it."""
    name, include_path = task_reference(suite)
    task = build_task(name, include_path)
    if task.config.num_fewshot is None:
        task.set_config(key="num_fewshot", value=0)
    task.set_fewshot_seed(seed=seed)
    pairs = list(task.doc_iterator(rank=0, limit=limit, world_size=1))
    docs = {int(doc_id): doc for doc_id, doc in pairs}
    contexts: dict[int, str] = {}
    until: dict[int, list[str]] = {}
    for doc_id, doc in docs.items():
        context = task.fewshot_context(doc, num_fewshot=task.config.num_fewshot, gen_prefix=task.doc_to_prefix(doc))
        if not isinstance(context, str):
            raise WisebenchError(f"lm-eval task {name!r}: its prompt for doc {doc_id} is not text ({type(context).__name__})")
        contexts[doc_id] = context
        arguments = request_for(task, doc_id, doc, context).args
        stops = (arguments[1] or {}).get("until") if len(arguments) > 1 else None
        until[doc_id] = [stops] if isinstance(stops, str) else [str(text) for text in stops or []]
    split = task.config.test_split or task.config.validation_split or "test"
    source = str(Path(include_path) / f"{name}") if include_path else name
    return LoadedTask(name=name, source=source, include_path=include_path, doc_ids=list(docs), contexts=contexts, split=split, protocol=task.protocol, task=task, docs=docs, until=until)
