"""SAM2 as the segmenter, the way Seg-Zero uses it: SAM2ImagePredictor, set_image(original image), one
predict(points, labels, box, multimask_output=True) per object, keep the highest-scoring mask, OR the objects.

Checkpoint forms (--segmenter-checkpoint):
  None                         -> "facebook/sam2-hiera-large" (Seg-Zero's default)
  a hub id                     -> one of the sam2 package's HF_MODEL_ID_TO_FILENAMES ids ("facebook/sam2.1-hiera-large",
                                  ...), loaded as SAM2ImagePredictor.from_pretrained does (bundled config + the .pt
                                  from the HF cache, downloaded when the hub is reachable)
  "CONFIG::CHECKPOINT"         -> a bundled config name ("configs/sam2.1/sam2.1_hiera_l.yaml") or a yaml path, and a local .pt
  a local folder or .pt file   -> a .pt with a hub file name (sam2_hiera_large.pt, ...) and its bundled config
  "random:CONFIG"              -> random weights (seeded) from a config, for tests and smoke runs
A CONFIG is a bundled config name, its bare file name ("sam2.1_hiera_t.yaml") or a yaml path.
Device None -> cuda if available, else cpu; on cuda the model runs under bfloat16 autocast (as the sam2 README does).
segment_batch embeds max_batch images per encoder pass (default 8 on cuda, 1 on cpu, where batching is slower).
"""

from __future__ import annotations

from contextlib import contextmanager, nullcontext
from importlib import metadata
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from wisebench.hub import hf_hub_cache, hub_offline
from wisebench.adapters.prediction import ObjectPrompt
from wisebench.errors import WeightsNotFoundError, WisebenchError
from wisebench.segmenters.base import Segmenter

DEFAULT_HUB_ID = "facebook/sam2-hiera-large"
_INSTALL_HINT = "pip install 'wisebench[sam2]' (SAM2_BUILD_CUDA=0 pip install --no-build-isolation sam2 on CPU-only machines)"
# What build_sam2 adds to every config: fall back to multi-mask when a single mask is unstable.
_POSTPROCESSING = {
    "model.sam_mask_decoder_extra_args.dynamic_multimask_via_stability": True,
    "model.sam_mask_decoder_extra_args.dynamic_multimask_stability_delta": 0.05,
    "model.sam_mask_decoder_extra_args.dynamic_multimask_stability_thresh": 0.98,
}


class SAM2Segmenter(Segmenter):
    name = "sam2"

    def __init__(self, checkpoint: str | None = None, device: str | None = None, multimask_output: bool = True, max_batch: int | None = None):
        try:
            import torch
            import sam2
            from sam2.build_sam import HF_MODEL_ID_TO_FILENAMES
            from sam2.sam2_image_predictor import SAM2ImagePredictor
        except ImportError as error:
            raise WisebenchError(f"the sam2 segmenter needs torch and sam2 ({error.name or error} is missing): {_INSTALL_HINT}") from error
        self._torch = torch
        self._known = dict(HF_MODEL_ID_TO_FILENAMES)
        self._package_dir = Path(sam2.__file__).parent
        self.multimask_output = multimask_output
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self._on_cuda = torch.device(self.device).type == "cuda"
        if self._on_cuda and not torch.cuda.is_available():
            raise WisebenchError(f"SAM2 device {self.device!r} asked for, but torch sees no CUDA device; use --device cpu")
        self.dtype = "bfloat16" if self._on_cuda else "float32"
        # Batching the image encoder pays on a GPU; on CPU it is slower than one image at a time
        # (hiera_t, 2 cores: 3 images 16 s batched vs 8.4 s one by one), so CPU defaults to 1.
        self.max_batch = max(1, max_batch if max_batch is not None else (8 if self._on_cuda else 1))
        self.random_weights = False
        self.checkpoint, self.config, weights = self._resolve(checkpoint or DEFAULT_HUB_ID)
        model = self._build(self.config, weights)
        self.predictor = SAM2ImagePredictor(model.to(self.device))

    def _resolve(self, spec: str) -> tuple[str, str, str | None]:
        """-> (checkpoint as recorded, config, local .pt or None for random weights)."""
        if spec.startswith("random:"):
            self.random_weights = True
            return spec, self._config(spec[len("random:"):]), None
        if "::" in spec:
            config, _, weights = spec.partition("::")
            if not Path(weights).expanduser().is_file():
                raise WeightsNotFoundError(f"SAM2 checkpoint {weights!r} not found (from --segmenter-checkpoint {spec!r})")
            return str(Path(weights).expanduser()), self._config(config), str(Path(weights).expanduser())
        path = Path(spec).expanduser()
        by_file = {filename: config for config, filename in self._known.values()}
        if path.is_dir() or path.is_file():
            candidates = sorted(path.glob("*.pt")) if path.is_dir() else [path]
            known = [candidate for candidate in candidates if candidate.name in by_file]
            if len(known) != 1:
                raise WeightsNotFoundError(
                    f"{path}: expected one SAM2 checkpoint named like a hub file ({', '.join(sorted(by_file))}), found "
                    f"{[c.name for c in candidates] or 'none'}; pass CONFIG.yaml::CHECKPOINT.pt to name the config yourself"
                )
            return str(known[0]), by_file[known[0].name], str(known[0])
        if spec in self._known:
            config, filename = self._known[spec]
            return spec, config, self._download(spec, filename)
        if path.suffix in (".pt", ".pth") or spec.startswith((".", "/", "~")) or spec.count("/") != 1:
            raise WeightsNotFoundError(f"SAM2 checkpoint {spec!r} not found")
        raise WisebenchError(
            f"unknown SAM2 checkpoint {spec!r}: not a local file or folder, and not one of the sam2 package's hub ids "
            f"({', '.join(sorted(self._known))}); for other weights pass CONFIG.yaml::CHECKPOINT.pt"
        )

    def _config(self, name: str) -> str:
        """A bundled config name (also found by bare file name), else an existing yaml path."""
        if (self._package_dir / name).is_file():
            return name
        if Path(name).expanduser().is_file():
            return str(Path(name).expanduser().resolve())
        bundled = sorted(self._package_dir.glob(f"configs/**/{Path(name).name}"))
        if len(bundled) == 1:
            return str(bundled[0].relative_to(self._package_dir))
        raise WisebenchError(f"SAM2 config {name!r} is neither a config of the sam2 package (e.g. configs/sam2.1/sam2.1_hiera_l.yaml) nor a yaml file")

    def _download(self, hub_id: str, filename: str) -> str:
        from huggingface_hub import hf_hub_download
        from huggingface_hub.errors import EntryNotFoundError, HfHubHTTPError, LocalEntryNotFoundError

        cache, offline = hf_hub_cache(), hub_offline()
        # cache_dir passed explicitly so the folder named below is the one searched; the cache is tried first
        # so a cached file needs no network round trip (the weights files never change).
        try:
            return hf_hub_download(hub_id, filename, cache_dir=cache, local_files_only=True)
        except LocalEntryNotFoundError:
            reason = "the hub is offline (HF_HUB_OFFLINE is set)"
        if not offline:
            try:
                return hf_hub_download(hub_id, filename, cache_dir=cache)
            except LocalEntryNotFoundError:
                reason = "the hub cannot be reached"
            except (EntryNotFoundError, HfHubHTTPError, OSError, ValueError) as error:
                reason = f"the download failed ({type(error).__name__}: {(str(error).splitlines() or [''])[0]})"
        raise WeightsNotFoundError(
            f"SAM2 weights {hub_id!r} ({filename}) are not in the Hugging Face cache {cache} (from HF_HUB_CACHE / "
            f"HF_HOME) and {reason}. Download them where you have network (hf download {hub_id} {filename} "
            f"--local-dir DIR) and pass --segmenter-checkpoint DIR, or --segmenter-checkpoint "
            f"{self._known[hub_id][0]}::DIR/{filename}, or set HF_HOME to a cache that holds them."
        ) from None

    def _build(self, config: str, weights: str | None) -> Any:
        torch = self._torch
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)  # random weights are the same on every run; the caller's RNG is untouched
            if Path(config).is_absolute():
                model = self._build_from_yaml(config)
            else:
                from sam2.build_sam import build_sam2

                model = build_sam2(config, ckpt_path=None, device="cpu")
        if weights is not None:
            try:
                state = torch.load(weights, map_location="cpu", weights_only=True)
            except Exception as error:  # corrupt or not a torch file: say which file
                raise WisebenchError(f"cannot read SAM2 checkpoint {weights}: {type(error).__name__}: {error}") from None
            state = state.get("model", state) if isinstance(state, dict) else state
            missing, unexpected = model.load_state_dict(state, strict=False)
            if missing or unexpected:
                raise WisebenchError(
                    f"SAM2 checkpoint {weights} does not fit config {config}: {len(missing)} missing keys "
                    f"{missing[:3]}, {len(unexpected)} unexpected {unexpected[:3]}"
                )
        return model.eval()

    @staticmethod
    def _build_from_yaml(path: str) -> Any:
        # build_sam2 composes through hydra's package search path, which cannot reach an arbitrary file.
        from hydra.utils import instantiate
        from omegaconf import OmegaConf

        config = OmegaConf.load(path)
        for key, value in _POSTPROCESSING.items():
            OmegaConf.update(config, key, value, force_add=True)
        OmegaConf.resolve(config)
        return instantiate(config.model, _recursive_=True)

    @contextmanager
    def _context(self) -> Iterator[None]:
        torch = self._torch
        autocast = torch.autocast("cuda", dtype=torch.bfloat16) if self._on_cuda else nullcontext()
        with torch.inference_mode(), autocast:
            yield

    @staticmethod
    def _prompt_arrays(prompt: ObjectPrompt) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None]:
        points = np.asarray(prompt.points, dtype=np.float32).reshape(-1, 2) if prompt.points else None
        labels = None
        if points is not None:  # missing labels mean positive points, as in Seg-Zero
            labels = np.asarray(prompt.point_labels or (1,) * len(points), dtype=np.int32)
        box = np.asarray(prompt.box, dtype=np.float32) if prompt.box is not None else None
        return points, labels, box

    def _best(self, masks: np.ndarray, scores: np.ndarray) -> np.ndarray:
        return masks[int(np.argmax(scores))] > 0.5  # masks come back as 0/1 floats

    @staticmethod
    def _usable(objects: list[ObjectPrompt]) -> list[ObjectPrompt]:
        return [prompt for prompt in objects if prompt.box is not None or prompt.points]

    def segment(self, image: np.ndarray, objects: list[ObjectPrompt]) -> np.ndarray:
        result = np.zeros(image.shape[:2], dtype=bool)
        prompts = self._usable(objects)
        if not prompts:
            return result  # no image embedding for nothing to segment
        with self._context():
            self.predictor.set_image(np.ascontiguousarray(image))
            for prompt in prompts:
                points, labels, box = self._prompt_arrays(prompt)
                masks, scores, _ = self.predictor.predict(
                    point_coords=points, point_labels=labels, box=box, multimask_output=self.multimask_output
                )
                result |= self._best(masks, scores)
        return result

    def segment_batch(self, images: list[np.ndarray], objects: list[list[ObjectPrompt]]) -> list[np.ndarray]:
        """One image-encoder pass per chunk of max_batch images (the expensive part); prompts are decoded in
        rounds, round r taking each image's r-th object, which gives the same masks as segment()."""
        results = [np.zeros(image.shape[:2], dtype=bool) for image in images]
        todo = [(index, self._usable(prompts)) for index, prompts in enumerate(objects)]
        todo = [(index, prompts) for index, prompts in todo if prompts]
        for start in range(0, len(todo), self.max_batch):
            chunk = todo[start : start + self.max_batch]
            with self._context():
                self.predictor.set_image_batch([np.ascontiguousarray(images[index]) for index, _ in chunk])
                for round_ in range(max(len(prompts) for _, prompts in chunk)):
                    # An image with fewer objects repeats its last one; the repeat is not used.
                    arrays = [self._prompt_arrays(prompts[min(round_, len(prompts) - 1)]) for _, prompts in chunk]
                    masks, scores, _ = self.predictor.predict_batch(
                        [a[0] for a in arrays], [a[1] for a in arrays], [a[2] for a in arrays], multimask_output=self.multimask_output
                    )
                    for position, (index, prompts) in enumerate(chunk):
                        if round_ < len(prompts):
                            results[index] |= self._best(masks[position], scores[position])
            self.predictor.reset_predictor()  # free the batch's embeddings
        return results

    def describe(self) -> dict[str, Any]:
        try:
            version = metadata.version("sam2")
        except metadata.PackageNotFoundError:
            version = None
        return {
            "name": self.name,
            "checkpoint": self.checkpoint,
            "config": self.config,
            "device": self.device,
            "dtype": self.dtype,
            "multimask_output": self.multimask_output,
            "random_weights": self.random_weights,
            "sam2_version": version,
        }
