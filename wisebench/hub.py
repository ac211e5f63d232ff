"""Where Hugging Face files live on this machine, resolved from the environment at call time (huggingface_hub
freezes its own view at import, which would name the wrong folder in errors after the environment changed)."""

from __future__ import annotations

import os


def hf_home() -> str:
    cache_root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.expanduser(os.environ.get("HF_HOME") or os.path.join(cache_root, "huggingface"))


def hf_hub_cache() -> str:
    """The model/hub cache folder (HF_HUB_CACHE, HUGGINGFACE_HUB_CACHE, else $HF_HOME/hub)."""
    for variable in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        if os.environ.get(variable):
            return os.path.expanduser(os.environ[variable])
    return os.path.join(hf_home(), "hub")


def hf_datasets_cache() -> str:
    return os.path.expanduser(os.environ.get("HF_DATASETS_CACHE") or os.path.join(hf_home(), "datasets"))


def hub_offline() -> bool:
    value = os.environ.get("HF_HUB_OFFLINE") or os.environ.get("TRANSFORMERS_OFFLINE") or ""
    return value.strip().upper() in ("1", "ON", "YES", "TRUE")
