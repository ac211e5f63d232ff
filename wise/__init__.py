"""WISE and WISE-S adapters and the reference WISE GRPO trainer."""
