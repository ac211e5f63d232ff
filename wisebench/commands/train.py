"""`wisebench train --config FILE`: the reference WISE GRPO trainer (wise.train), same as `python -m wise.train`."""

from __future__ import annotations

import argparse

NAME = "train"
HELP = "train a WISE checkpoint with GRPO (TRL) from a YAML config"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", help="YAML config (WISE's defaults: wise/configs/wise.yaml); omitted: those defaults")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override a config key, dotted for sections: grpo.max_steps=2, rewards.weights.mask_iou=1")
    parser.add_argument("--output-dir", help="where the checkpoint goes (overrides output_dir)")
    parser.add_argument("--print-config", action="store_true", help="print the resolved config and exit")


def run(args: argparse.Namespace) -> int:
    import json

    from wise.train.config import load_config

    overrides = list(args.overrides) + ([f"output_dir={args.output_dir}"] if args.output_dir else [])
    config = load_config(args.config, overrides)
    if args.print_config:
        print(json.dumps(config.to_json(), indent=2))
        return 0
    from wise.train.trainer import train

    folder = train(config)
    print(f"checkpoint: {folder}\nevaluate it: wisebench run --model wise --checkpoint {folder}")
    return 0
