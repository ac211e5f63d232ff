"""ReasonerSpec: everything that makes one published reasoner + segmenter system what it is, as data.

The prompt strings are the models' input interface: a fine-tuned checkpoint only behaves as published when it gets
them byte for byte (shared/reference/interfaces.md). Pieces are concatenated with NO separator, as upstream does.
Placeholders: {Question} (the query, lower-cased, dots stripped at both ends), {Answer} (the answer example) and
{Brevity} (WISE-S's brevity instruction, with its leading space; empty for the others).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from wisebench.reasoner.backend import GenerationSettings

# The six Seg-Zero prompt pieces (interfaces.md, "Seg-Zero").
FIND = "Please find '{Question}' with bbox and points."
COMPARE = "Compare the difference between objects and find the most closely matched one."
SEGZERO_TAGS = "Output the thinking process in <think> </think> and final answer in <answer> </answer> tags."
ONE_BBOX = "Output the one bbox and points of two largest inscribed circles inside the interested object in JSON format."
SEGZERO_EXAMPLE = "i.e., <think> thinking process here </think>"
ANSWER_EXAMPLE = "<answer>{Answer}</answer>"
SEGZERO_ANSWER = "{'bbox': [10,100,200,210], 'points_1': [30,110], 'points_2': [35,180]}"

# WISE (interfaces.md, "WISE / WISE-S").
WISE_TAGS = "Output the streamlined thinking process in <think> </think> and final answer in <answer> </answer> tags."
WISE_EXAMPLE = "i.e., <think> streamlined thinking process here{Brevity} </think>"
WISE_TRAINING_TAGS = (
    "Output the detailed thinking process in <d_think> </d_think>, the streamlined thinking process in "
    "<think> </think> and final answer in <answer> </answer> tags."
)
WISE_TRAINING_EXAMPLE_TAIL = "<d_think> detailed thinking process here </d_think>"
WISE_ANSWER = '{"bbox": [10,100,200,210], "points_1": [30,110], "points_2": [35,180]}'
WISE_S_BREVITY = "(one sentence)"


@dataclass(frozen=True)
class ReasonerSpec:
    name: str
    checkpoint: str | None  # default hub id; None: the user must pass --checkpoint
    prompt_pieces: tuple[str, ...]
    answer_example: str
    revision: str | None = None
    brevity: str = ""  # WISE-S: "(one sentence)"; inserted as " " + brevity at {Brevity}
    question_strip: str = "."  # characters stripped from both ends of the lower-cased query
    reasoning_tag: str = "think"
    answer_tag: str = "answer"
    answer_schema: str = "bbox_points"  # "bbox_points" (Seg-Zero family) | "object_list" (VisionReasoner)
    resize: tuple[int, int] | None = (840, 840)  # (width, height); 840 = 30 * 28, so the processor keeps it
    generation: GenerationSettings = field(default_factory=GenerationSettings)
    default_segmenter: str = "sam2"
    summary: str = ""
    no_checkpoint_help: str = ""  # shown when checkpoint is None and none was given
    # Fidelity to the system's own evaluation (docs/fidelity.md). upstream_parser names the script's parsing rules
    # (upstream_parsing.py); published specs score with them by default, --set parse_policy=robust switches.
    upstream_parser: str | None = None
    parse_policy: str = "robust"
    token_convention: str = "wisebench"  # how the headline reasoning tokens are counted (metrics/token_conventions.py)
    protocol: str = "lisa"  # the metric protocol of the paper's own numbers: the run's default --protocol

    def question(self, query: str) -> str:
        return query.lower().strip(self.question_strip)

    def prompt_template(self) -> str:
        """The prompt with {Question} left in: what run.json hashes as the prompt."""
        brevity = f" {self.brevity}" if self.brevity else ""
        text = "".join(self.prompt_pieces).replace("{Answer}", self.answer_example).replace("{Brevity}", brevity)
        return text

    def prompt(self, query: str) -> str:
        return self.prompt_template().replace("{Question}", self.question(query))

    def with_settings(self, settings: dict[str, Any]) -> "ReasonerSpec":
        """Apply --set overrides that belong to the spec (brevity, revision, generation settings)."""
        changes: dict[str, Any] = {}
        if "brevity" in settings:
            changes["brevity"] = str(settings["brevity"])
        if "revision" in settings:
            changes["revision"] = str(settings["revision"])
        for key in ("parse_policy", "token_convention"):
            if key in settings:
                changes[key] = str(settings[key])
        generation = {key: settings[key] for key in ("max_new_tokens", "do_sample", "temperature", "top_p", "repetition_penalty") if key in settings}
        if generation:
            changes["generation"] = replace(self.generation, **generation)
        return replace(self, **changes) if changes else self

    def describe(self) -> dict[str, Any]:
        return {
            "spec": self.name,
            "checkpoint": self.checkpoint,
            "revision": self.revision,
            "prompt_template": self.prompt_template(),
            "brevity": self.brevity or None,
            "tags": {"reasoning": self.reasoning_tag, "answer": self.answer_tag},
            "answer_schema": self.answer_schema,
            "parse_policy": self.parse_policy,
            "upstream_parser": self.upstream_parser,
            "token_convention": self.token_convention,
            "paper_protocol": self.protocol,
            "resize": list(self.resize) if self.resize else None,
            "generation": self.generation.to_json(),
        }


SEGZERO_PIECES = (FIND, COMPARE, SEGZERO_TAGS, ONE_BBOX, SEGZERO_EXAMPLE, ANSWER_EXAMPLE)
WISE_PIECES = (FIND, COMPARE, WISE_TAGS, ONE_BBOX, WISE_EXAMPLE, ANSWER_EXAMPLE)
WISE_TRAINING_PIECES = (FIND, COMPARE, WISE_TRAINING_TAGS, ONE_BBOX, WISE_EXAMPLE, ANSWER_EXAMPLE, WISE_TRAINING_EXAMPLE_TAIL)
