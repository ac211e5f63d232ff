"""Test helpers for the packaged lm-eval recipes: copies of the recipe folders that read local JSON fixtures with the
upstream datasets' columns (the shipped YAMLs name the hub datasets, unreachable here), and a scripted stand-in built
on text_standin.ScriptedBackend that honours stop strings as vLLM does and records what it was asked."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path

from text_standin import ScriptedBackend
from wisebench.reasoner.backend import Generation, GenerationSettings
from wisebench.registry import MODELS
from wisebench.text import recipes
from wisebench.text.stops import TextRequest, cut_at_stop_strings

VERITHINKER_TAIL = " Please reason step by step, and put your final answer within \\boxed{}."
THINKLESS_HEAD = "Please reason step by step, and put your final answer within \\boxed{}.\n"


def localize_recipes(root: Path, docs: dict[str, list[dict]]) -> Path:
    """A copy of the recipes folder under `root`; each named recipe ("verithinker/aime24") reads `docs` from a
    local JSON file under its own split. Returns the copy (point wisebench.text.recipes.RECIPES_ROOT at it)."""
    copy = root / "recipes"
    shutil.copytree(recipes.RECIPES_ROOT, copy, ignore=shutil.ignore_patterns("__pycache__"))
    for name, rows in docs.items():
        path = copy / f"{name}.yaml"
        text = path.read_text(encoding="utf-8")
        split = re.search(r"^test_split: (\S+)", text, re.MULTILINE).group(1)
        data = path.with_suffix(".json")
        data.write_text(json.dumps(rows), encoding="utf-8")
        text = re.sub(r"^dataset_path: .*$", "dataset_path: json", text, flags=re.MULTILINE)
        text = re.sub(r"^dataset_name: .*\n", "", text, flags=re.MULTILINE)
        path.write_text(text + f"dataset_kwargs:\n  data_files:\n    {split}: {data}\n", encoding="utf-8")
    return copy


@dataclass
class Call:
    prompts: list[str]
    settings: GenerationSettings
    request: TextRequest | None


@dataclass
class RecipeScript:
    """problem text -> [(raw output, finish reason)] per repeat (cycled by the sampling seed)."""

    outputs: dict[str, list[tuple[str, str]]]
    calls: list[Call] = field(default_factory=list)


SCRIPT = RecipeScript({})


class RecipeBackend(ScriptedBackend):
    """Answers by the scripted problem found in the prompt; cuts at the first stop string (text before it, finish
    "stop"), as vLLM does with SamplingParams(stop=...)."""

    name = "scripted-recipe"

    def generate(self, prompts: list[str], settings: GenerationSettings, request: TextRequest | None = None) -> list[Generation]:
        SCRIPT.calls.append(Call(list(prompts), settings, request))
        generations = []
        for prompt in prompts:
            (problem,) = [problem for problem in SCRIPT.outputs if problem in prompt]
            options = SCRIPT.outputs[problem]
            text, finish = options[settings.seed % len(options)]
            text, matched = cut_at_stop_strings(text, request.stop if request else ())
            extra = {"stop_string": matched} if matched else {}
            tokens = len(self._tokenizer.encode(text + (matched or ""), add_special_tokens=False))
            generations.append(Generation(text=text, prompt_tokens=len(self._tokenizer.encode(prompt)), generated_tokens=tokens, finish_reason="stop" if matched else finish, seconds=0.01, extra=extra))
        return generations


def recipe_backend(spec, options) -> RecipeBackend:
    return RecipeBackend()


# The published specs with the stand-in backend: their own instructions, stops, budgets, repeats and conventions.
VERITHINKER_STANDIN = replace(MODELS.load("verithinker-7b"), name="verithinker-standin", backend_factory=recipe_backend)
THINKLESS_STANDIN = replace(MODELS.load("thinkless-1.5b"), name="thinkless-standin", backend_factory=recipe_backend)


def register() -> None:
    MODELS.register("verithinker-standin", "text_recipes:VERITHINKER_STANDIN")
    MODELS.register("thinkless-standin", "text_recipes:THINKLESS_STANDIN")
