"""Where model weights come from: a local folder, always accepted, or a Hugging Face hub id resolved through the
HF cache (downloaded when the hub is reachable). Offline and not cached: one clear error, exit code 2."""

from __future__ import annotations

import hashlib
import json
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from wisebench.errors import CheckpointFormatError, WeightsNotFoundError
from wisebench.hub import hf_hub_cache, hub_offline


def weights_missing(hub_id: str, what: str, flag: str, detail: str = "") -> WeightsNotFoundError:
    return WeightsNotFoundError(
        f"{what} weights {hub_id!r} are not available: not in the Hugging Face cache ({hf_hub_cache()}) and the hub "
        f"cannot be reached{f' ({detail})' if detail else ''}. Download them where you have network "
        f"(huggingface-cli download {hub_id} --local-dir DIR) and pass {flag} DIR, or set HF_HOME to a cache that holds them."
    )


def resolve_checkpoint(checkpoint: str, revision: str | None = None, what: str = "model", flag: str = "--checkpoint") -> Path:
    """A local folder for `checkpoint` (a folder path or a hub id)."""
    path = Path(checkpoint).expanduser()
    if path.is_dir():
        if not (path / "config.json").exists():
            raise WeightsNotFoundError(f"{path} has no config.json: not a transformers checkpoint folder ({what})")
        return path
    if path.suffix or checkpoint.startswith((".", "/", "~")) or checkpoint.count("/") != 1:
        raise WeightsNotFoundError(f"{what} checkpoint {checkpoint!r} is neither a folder nor a hub id (owner/name)")
    try:
        from huggingface_hub import snapshot_download
    except ImportError as error:
        raise WeightsNotFoundError(f"resolving the hub id {checkpoint!r} needs huggingface_hub: pip install 'wisebench[reasoner]'") from error
    try:
        return Path(snapshot_download(checkpoint, revision=revision, local_files_only=True))
    except Exception:  # not cached (LocalEntryNotFoundError and friends): try the hub unless offline
        if hub_offline():
            raise weights_missing(checkpoint, what, flag, "HF_HUB_OFFLINE is set") from None
    try:
        return Path(snapshot_download(checkpoint, revision=revision))
    except Exception as error:
        raise weights_missing(checkpoint, what, flag, type(error).__name__) from None


def checkpoint_fingerprint(folder: Path, checkpoint: str, revision: str | None) -> dict[str, Any]:
    """What identifies the weights for caching: the hub snapshot commit when there is one, else a digest of the
    config and the weight files' names, sizes and modification times."""
    digest = hashlib.sha256((folder / "config.json").read_bytes() if (folder / "config.json").exists() else b"")
    for weight in sorted(folder.glob("*.safetensors")) + sorted(folder.glob("*.bin")):
        stat = weight.stat()
        digest.update(json.dumps([weight.name, stat.st_size, int(stat.st_mtime)]).encode())
    snapshot = folder.name if folder.parent.name == "snapshots" else None
    return {"checkpoint": checkpoint, "revision": revision, "snapshot_commit": snapshot, "files_digest": digest.hexdigest()[:16]}


@contextmanager
def loading_checkpoint(folder: Path, what: str) -> Iterator[None]:
    """Turns transformers' errors for a broken folder (invalid config.json, no or damaged weight files: OSError,
    ValueError) into one message naming the folder, instead of a stack trace."""
    try:
        yield
    except (OSError, ValueError) as error:
        detail = " ".join(str(error).split())[:300]
        raise CheckpointFormatError(
            f"{folder}: the {what} checkpoint cannot be loaded ({type(error).__name__}: {detail}). Expected a complete "
            "transformers checkpoint folder (config.json, weights as *.safetensors or *.bin, tokenizer files); "
            "re-download it or pass another --checkpoint"
        ) from error
