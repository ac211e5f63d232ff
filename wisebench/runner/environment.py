"""What a run records about where it ran: package versions, git state, hardware. Never imports torch itself
(that would cost seconds for runs that do not need it): GPU facts come from torch only when already loaded."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = (
    "wisebench", "numpy", "pillow", "opencv-python-headless", "opencv-python", "pycocotools", "datasets", "torch",
    "torchvision", "transformers", "accelerate", "sam2", "vllm", "trl", "lm-eval", "ray", "sentence-transformers",
)


def package_versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def git_state(path: Path | None = None) -> dict[str, Any] | None:
    """Commit and dirtiness of the checkout wisebench runs from (None for an installed wheel)."""
    folder = path or Path(__file__).resolve().parents[2]
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True, timeout=5)
        if commit.returncode != 0:
            return None
        status = subprocess.run(["git", "status", "--porcelain"], cwd=folder, capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return {"commit": commit.stdout.strip(), "dirty": bool(status.stdout.strip())}


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_gib() -> float | None:
    try:
        pages, page_size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        return round(pages * page_size / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        return None


def gpus() -> list[dict[str, Any]]:
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        return [
            {"name": torch.cuda.get_device_name(i), "memory_gib": round(torch.cuda.get_device_properties(i).total_memory / 2**30, 1)}
            for i in range(torch.cuda.device_count())
        ]
    try:
        query = subprocess.run(
            ["nvidia-smi", "--query-gpu=name,memory.total", "--format=csv,noheader,nounits"],
            capture_output=True, text=True, timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    if query.returncode != 0:
        return []
    found = []
    for line in query.stdout.strip().splitlines():
        name, _, memory = line.partition(",")
        found.append({"name": name.strip(), "memory_gib": round(float(memory) / 1024, 1) if memory.strip() else None})
    return found


def hardware() -> dict[str, Any]:
    gpu_list = gpus()
    label = f"{len(gpu_list)}x {gpu_list[0]['name']}" if gpu_list else f"CPU ({os.cpu_count()} cores)"
    return {"label": label, "cpu": cpu_model(), "cpu_count": os.cpu_count(), "memory_gib": memory_gib(), "gpus": gpu_list}


def environment() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": package_versions(),
        "git": git_state(),
        "hardware": hardware(),
        "argv": sys.argv,
    }
