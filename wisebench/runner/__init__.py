"""Runs: the batch loop, the run folder (run.json + records.jsonl) and what a run records about its machine."""
