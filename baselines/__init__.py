"""Adapters for published systems other than WISE (LISA, Seg-Zero, PixelThink). Third parties should reach
them through the `wisebench.models` registry, not by importing this generic top-level name."""
