"""VeriThinker recipes: lm-eval task YAMLs and their `!function` helpers."""
