"""PixelThink (songw-zju/PixelThink): Seg-Zero's prompt and pipeline; its reasoning length is controlled at
training time only (difficulty- and uncertainty-aware reward), so inference is the Seg-Zero pipeline with its
checkpoint. The weights are published on a file-sharing drive, not the hub: pass --checkpoint DIR."""

from __future__ import annotations

from wisebench.reasoner.pipeline import ReasonerSegmenterAdapter
from wisebench.reasoner.spec import SEGZERO_ANSWER, SEGZERO_PIECES, ReasonerSpec

PIXELTHINK = ReasonerSpec(
    name="pixelthink",
    checkpoint=None,
    prompt_pieces=SEGZERO_PIECES,
    answer_example=SEGZERO_ANSWER,
    # No evaluation code is public: its paper compares with Seg-Zero's numbers, so Seg-Zero's script rules apply.
    upstream_parser="segzero",
    parse_policy="upstream",
    token_convention="wise",
    protocol="segzero",
    summary="PixelThink-7B: Seg-Zero pipeline, length-regulated by its training reward",
    no_checkpoint_help="PixelThink's weights are linked from its README (songw-zju/PixelThink, Google Drive): download them and pass the folder.",
)


class PixelThinkAdapter(ReasonerSegmenterAdapter):
    name = "pixelthink"
    spec = PIXELTHINK
