"""Segmenters: box and point prompts become a mask (GrabCut weight-free; SAM2 with the `sam2` extra)."""
