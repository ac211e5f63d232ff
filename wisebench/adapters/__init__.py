"""Adapters: a model turns Samples into Predictions (mask, reasoning text, token counts, timings)."""
