"""Subcommands that live in their own module (one concept each). A module here defines

    NAME = "submit"                     # the subcommand
    HELP = "one line for --help"
    def add_arguments(parser): ...      # argparse arguments of the subcommand
    def run(args) -> int: ...           # exit code; raise WisebenchError for user-facing errors

and is listed in MODULES. Imports of heavy packages go inside `run`, so `wisebench --help` stays fast.
"""

MODULES: list[str] = ["wisebench.commands.merge", "wisebench.commands.submit", "wisebench.commands.leaderboard", "wisebench.commands.train", "wisebench.commands.parse", "wisebench.commands.repair"]
