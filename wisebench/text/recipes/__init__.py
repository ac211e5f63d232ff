"""Packaged lm-eval task YAMLs that reproduce a paper's evaluation protocol, one folder per system with its
`!function` helpers: `lm-eval:verithinker/aime24` and the like. Each YAML names its upstream dataset (dataset_path as
the upstream script loads it) and carries a `metadata.wisebench` block: parse policy, token convention, upstream file.
They also run under lm-eval itself: lm_eval --include_path <this folder>/verithinker --tasks verithinker_aime24."""

from __future__ import annotations

from pathlib import Path

RECIPES_ROOT = Path(__file__).parent  # tests point this at copies reading local fixtures


def recipe_yaml(reference: str) -> Path | None:
    """The YAML of a `family/benchmark` recipe name; None when the name is no recipe."""
    family, _, benchmark = reference.strip().partition("/")
    if not family or not benchmark or "/" in benchmark or family.startswith("."):
        return None
    path = RECIPES_ROOT / family / f"{benchmark}.yaml"
    return path if path.is_file() else None


def recipe_names() -> list[str]:
    return sorted(f"{path.parent.name}/{path.stem}" for path in RECIPES_ROOT.glob("*/*.yaml"))
