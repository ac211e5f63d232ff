"""Name -> implementation registries for models, suites and segmenters.

Entries are lazy "module:attribute" strings so `wisebench list` does not import torch; third-party packages
add entries through entry points (groups `wisebench.models`, `wisebench.suites`, `wisebench.segmenters`)
and never need to import wisebench's generic top-level names (baselines, leaderboard).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

from wisebench.errors import UnknownNameError, WisebenchError


@dataclass(frozen=True)
class Entry:
    name: str
    target: str  # "package.module:Attribute"
    aliases: tuple[str, ...] = ()
    summary: str = ""
    source: str = "builtin"  # or the distribution that registered it through an entry point


@dataclass
class Registry:
    kind: str  # "model", "suite", "segmenter": used in messages
    entry_point_group: str
    _entries: dict[str, Entry] = field(default_factory=dict)
    _aliases: dict[str, str] = field(default_factory=dict)
    _plugins_loaded: bool = False

    def register(self, name: str, target: str, aliases: tuple[str, ...] = (), summary: str = "", source: str = "builtin") -> None:
        if ":" not in target:
            raise ValueError(f"{self.kind} {name!r}: target {target!r} must be 'module:attribute'")
        self._entries[name] = Entry(name, target, tuple(aliases), summary, source)
        for alias in aliases:
            self._aliases[alias] = name

    def _load_plugins(self) -> None:
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        for point in metadata.entry_points(group=self.entry_point_group):
            if point.name not in self._entries:  # built-ins win: a plugin cannot silently replace them
                source = point.dist.name if point.dist is not None else "entry point"
                self.register(point.name, point.value, summary=f"plugin from {source}", source=source)

    def canonical(self, name: str) -> str:
        self._load_plugins()
        key = name.strip().lower()
        if key in self._entries:
            return key
        if key in self._aliases:
            return self._aliases[key]
        known = ", ".join(sorted(self._entries))
        raise UnknownNameError(f"unknown {self.kind} {name!r}; known {self.kind}s: {known}")

    def entry(self, name: str) -> Entry:
        return self._entries[self.canonical(name)]

    def load(self, name: str) -> Any:
        """Import and return the registered attribute (a class or a factory)."""
        entry = self.entry(name)
        module_name, _, attribute = entry.target.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ImportError as error:
            raise WisebenchError(
                f"{self.kind} {entry.name!r} needs a package that is not installed ({error.name or error}); "
                f"see the README for the extra that provides it"
            ) from error
        try:
            return getattr(module, attribute)
        except AttributeError as error:
            raise WisebenchError(f"{self.kind} {entry.name!r}: {module_name} has no {attribute}") from error

    def entries(self) -> list[Entry]:
        self._load_plugins()
        return [self._entries[name] for name in sorted(self._entries)]


MODELS = Registry("model", "wisebench.models")
SUITES = Registry("suite", "wisebench.suites")
SEGMENTERS = Registry("segmenter", "wisebench.segmenters")

SUITES.register("reasonseg-mini", "wisebench.data.reasonseg_mini:ReasonSegMiniSuite", ("mini",), "bundled default")
SUITES.register("reasonseg", "wisebench.data.reasonseg:ReasonSegSuite", (), "ReasonSeg val/test (LISA or HF copy)")
SUITES.register("reasonseg-diff", "wisebench.data.reasonseg_diff:ReasonSegDiffSuite", ("reasonsegdiff",), "ReasonSeg-Diff")
SUITES.register("refcoco", "wisebench.data.refcoco:RefCOCOSuite", (), "RefCOCO (unc) val/testA/testB")
SUITES.register("refcoco+", "wisebench.data.refcoco:RefCOCOPlusSuite", ("refcocoplus",), "RefCOCO+ (unc)")
SUITES.register("refcocog", "wisebench.data.refcoco:RefCOCOgSuite", (), "RefCOCOg (umd) val/test")

SEGMENTERS.register("grabcut", "wisebench.segmenters.grabcut:GrabCutSegmenter", (), "OpenCV GrabCut, weight-free")
SEGMENTERS.register("sam2", "wisebench.segmenters.sam2:SAM2Segmenter", (), "Meta SAM2 image predictor (default facebook/sam2-hiera-large)")

MODELS.register("oracle", "wisebench.adapters.oracle:OracleAdapter", (), "box + points from the ground truth")
MODELS.register("seg-zero", "baselines.seg_zero:SegZeroAdapter", ("segzero", "seg-zero-7b"), "Seg-Zero-7B (Qwen2.5-VL + SAM2)")
MODELS.register("pixelthink", "baselines.pixelthink:PixelThinkAdapter", ("pixelthink-7b",), "PixelThink-7B (Seg-Zero pipeline)")
MODELS.register("visionreasoner", "baselines.visionreasoner:VisionReasonerAdapter", ("visionreasoner-7b",), "VisionReasoner-7B (multi-object, Seg-Zero pipeline)")
MODELS.register("wise", "wise.adapters:WiseAdapter", (), "WISE (Qwen2.5-VL + SAM2), --checkpoint required")
MODELS.register("lisa", "baselines.lisa.adapter:LisaAdapter", ("lisa-7b",), "LISA-7B-v1: [SEG] token + SAM ViT-H (--set size=13b: LISA-13B-llama2-v1)")
MODELS.register("wise-s", "wise.adapters:WiseSAdapter", ("wises", "wise_s"), "WISE-S: WISE + brevity instruction")

# Text reasoners for `lm-eval:TASK` suites (any task lm-eval knows, or --suite lm-eval:path/to/task.yaml).
MODELS.register("r1-distill-qwen-1.5b", "wisebench.text.models.r1_distill_qwen_1_5b:SPEC", (), "DeepSeek-R1-Distill-Qwen-1.5B (text, lm-eval suites)")
MODELS.register("r1-distill-qwen-7b", "wisebench.text.models.r1_distill_qwen_7b:SPEC", (), "DeepSeek-R1-Distill-Qwen-7B (text, lm-eval suites)")
MODELS.register("verithinker-7b", "wisebench.text.models.verithinker_7b:SPEC", ("verithinker",), "VeriThinker-7B (text, lm-eval suites)")
MODELS.register("thinkless-1.5b", "wisebench.text.models.thinkless_1_5b:SPEC", ("thinkless",), "Thinkless-1.5B-RL-DeepScaleR (text, lm-eval suites)")
