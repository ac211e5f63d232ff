"""The reference WISE GRPO trainer: TRL's GRPOTrainer with WISE's data (dataset.py), prompt (dataset.WISE_TRAINING),
rewards (rewards.py, adapted to TRL in reward_functions.py) and defaults (config.py, wise/configs/wise.yaml).
Entry points: `wisebench train --config FILE`, `python -m wise.train --config FILE`, trainer.train(config)."""
