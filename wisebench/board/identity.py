"""Is a run who it says it is? Its run id, identity and model description re-derived from its configuration.

- The run id and the identity are what wisebench.runner.config.RunConfig gives for run.json's `config` (the code
  that named the run folder), so a configuration edited after the run no longer matches its id.
- The model name is a registered canonical name, and the adapter's own description (run.json `model`, written by
  describe()) names the same model: an oracle run renamed to seg-zero still says "oracle" there.
- For the Qwen-style specs (Seg-Zero, PixelThink, VisionReasoner, WISE, WISE-S), the prompt, tags, parsing, resize
  and generation settings in the description are the registered spec's under the run's --set settings, and
  run.json's prompt_hash is the hash of that prompt.
The submitter's data_dir is compared as stored and never opened.
"""

from __future__ import annotations

import hashlib
from dataclasses import fields
from typing import Any

from wisebench.errors import WisebenchError
from wisebench.runner.config import RunConfig

ORACLE = "oracle"


def described_model(run: dict[str, Any]) -> str | None:
    """The model name the run's own description gives: describe()'s "adapter" (segmentation) or the text spec's
    "name"; None when the description has neither (a run that never predicted)."""
    model = run.get("model") or {}
    name = model.get("adapter", model.get("name"))
    return None if name is None else str(name)


def is_oracle(run: dict[str, Any]) -> bool:
    """The oracle reads the ground truth: any sign of it in the configuration or the description."""
    model = run.get("model") or {}
    prompts = str(model.get("prompts", ""))
    return ORACLE in {str((run.get("config") or {}).get("model")), described_model(run)} or prompts.startswith("ground-truth")


def _config(run: dict[str, Any]) -> RunConfig:
    known = {item.name for item in fields(RunConfig)}
    stored = {key: value for key, value in (run.get("config") or {}).items() if key in known}
    # identity() resolves a data_dir that exists on this machine: give it the stored (already resolved) one.
    stored["data_dir"] = (run.get("identity") or {}).get("data_dir", stored.get("data_dir"))
    return RunConfig(**stored)


def identity_problems(run: dict[str, Any]) -> list[str]:
    problems = []
    data_dir = (run.get("identity") or {}).get("data_dir")
    if data_dir is not None and not isinstance(data_dir, str):
        return ["run.json: identity.data_dir is not a path"]
    try:
        derived = _config(run)
        identity, run_id = derived.identity(), derived.run_id()
    except (TypeError, ValueError, AttributeError) as error:
        return [f"run.json: the configuration cannot be read as a run configuration ({error})"]
    if run.get("identity") != identity:
        differing = sorted(key for key in identity.keys() | (run.get("identity") or {}).keys() if identity.get(key) != (run.get("identity") or {}).get(key))
        problems.append(f"run.json: identity disagrees with config in {', '.join(map(str, differing))}")
    if run["run_id"] != run_id:
        problems.append(f"run.json: run_id {run['run_id']!r} is not the one its configuration gives ({run_id!r}): the configuration was changed after the run")
    problems += model_problems(run)
    return problems


def model_problems(run: dict[str, Any]) -> list[str]:
    from wisebench.registry import MODELS

    name = str(run["config"]["model"])
    try:
        canonical = MODELS.canonical(name)
    except WisebenchError:
        return [f"run.json: model {name!r} is not registered on this board's wisebench"]
    if canonical != name:
        return [f"run.json: model {name!r} is an alias; runs record the canonical name {canonical!r}"]
    described = described_model(run)
    if run.get("model") and described != name:
        return [f"run.json: the configuration says model {name!r} but the adapter described itself as {described!r}"]
    if (run.get("model") or {}).get("synthetic"):
        return []  # scripted predictions (board demos, tests): never ranked, so there is no spec to hold them to
    try:
        factory = MODELS.load(name)
    except WisebenchError as error:
        return [f"run.json: model {name!r} cannot be checked here ({error})"]
    spec = getattr(factory, "spec", None)
    return _spec_problems(run, spec) if spec is not None and hasattr(spec, "with_settings") else []


def _spec_problems(run: dict[str, Any], spec: Any) -> list[str]:
    """The description's spec fields against the registered spec under the run's settings."""
    model = run.get("model") or {}
    config = run["config"]
    try:
        expected = spec.with_settings(dict(config.get("settings") or {})).describe()
    except (TypeError, ValueError) as error:
        return [f"run.json: config.settings cannot be applied to the {spec.name} spec ({error})"]
    expected["checkpoint"] = config.get("checkpoint") or spec.checkpoint
    differing = sorted(key for key, value in expected.items() if model.get(key) != value)
    problems = []
    if differing:
        problems.append(f"run.json: the model description is not the registered {spec.name} spec's in {', '.join(differing)}")
    template = model.get("prompt_template")
    if isinstance(template, str) and run.get("prompt_hash") != hashlib.sha256(template.encode("utf-8")).hexdigest()[:16]:
        problems.append("run.json: prompt_hash is not the hash of the model's prompt template")
    return problems
