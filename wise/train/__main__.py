"""`python -m wise.train --config FILE` (or `accelerate launch -m wise.train --config FILE` on many GPUs)."""

from __future__ import annotations

import argparse
import sys

from wisebench.commands import train as train_command
from wisebench.errors import WisebenchError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m wise.train", description=train_command.HELP)
    train_command.add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return train_command.run(args)
    except WisebenchError as error:
        print(f"wise.train: error: {error}", file=sys.stderr)
        return error.exit_code


if __name__ == "__main__":
    sys.exit(main())
