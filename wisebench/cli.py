"""The `wisebench` command: run, score, list, show, compare.

Errors the user can act on (missing data, bad files, unknown names) print one message and exit 2 with no
stack trace; WISEBENCH_DEBUG=1 shows tracebacks for anything else.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, Sequence

from wisebench import __version__
from wisebench.errors import RunStoreError, WisebenchError


def _key_value(text: str) -> tuple[str, Any]:
    key, separator, value = text.partition("=")
    if not separator or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    try:
        return key, json.loads(value)  # numbers, booleans, lists; anything else stays a string
    except json.JSONDecodeError:
        return key, value


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    from wisebench.metrics.iou import DEFAULT_PROTOCOL, PROTOCOLS

    parser = argparse.ArgumentParser(prog="wisebench", description="Reasoning segmentation: accuracy and reasoning cost, side by side.")
    parser.add_argument("--version", action="version", version=f"wisebench {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="evaluate a model on a suite (resumes when re-run)")
    run.add_argument("--model", help="registered model name (wisebench list models)")
    run.add_argument("--suite", default="reasonseg-mini", help="suite name (default: the bundled reasonseg-mini)")
    run.add_argument("--split", help="split (default: the suite's default)")
    run.add_argument("--data-dir", help="dataset location (folder or HF copy); default $WISEBENCH_DATA")
    run.add_argument("--limit", type=_positive, help="only the first N samples (a smoke run, never ranked)")
    run.add_argument("--batch-size", type=_positive, default=8)
    run.add_argument("--window", type=_positive, default=256, help="requests a continuous-batching backend (--set backend=vllm) holds at once (default 256)")
    run.add_argument("--protocol", choices=PROTOCOLS, help="headline metric protocol (default: the protocol of the model's paper, e.g. segzero for seg-zero and wise; lisa for lisa and the oracle)")
    run.add_argument("--out", default="runs", help="folder that holds run folders (default ./runs)")
    run.add_argument("--resume", metavar="RUN", help="continue a run (its id under --out, or its folder)")
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--skip-bad", action="store_true", help="skip corrupt images/annotations (counted in the summary)")
    run.add_argument("--checkpoint", help="model weights: hub id or local folder")
    run.add_argument("--segmenter", help="segmenter name (grabcut, sam2)")
    run.add_argument("--segmenter-checkpoint", help="segmenter weights: hub id or local config+checkpoint")
    run.add_argument("--device", help="cpu, cuda, cuda:1 ... (default: best available)")
    run.add_argument("--latency", action="store_true", help="batch size 1 for per-sample latency")
    run.add_argument("--shard", metavar="K/N", help="run only the K-th of N disjoint parts (0-based); merge with `wisebench merge`")
    run.add_argument("--executor", choices=("local", "ray"), default="local", help="ray: one adapter actor per worker")
    run.add_argument("--num-workers", type=_positive, default=2, help="Ray workers (default 2)")
    run.add_argument("--gpus-per-worker", type=float, default=0.0, help="GPUs each Ray worker reserves")
    run.add_argument("--set", dest="settings", type=_key_value, action="append", default=[], metavar="KEY=VALUE", help="adapter setting")
    run.add_argument("--no-progress", action="store_true")
    run.add_argument("--json", action="store_true", help="print the summary as JSON")

    score = commands.add_parser("score", help="score predicted masks from elsewhere (<sample_id>.png)")
    score.add_argument("--suite", required=True)
    score.add_argument("--data-dir")
    score.add_argument("--split")
    score.add_argument("--predictions", required=True, type=Path)
    score.add_argument("--protocol", choices=PROTOCOLS, default=DEFAULT_PROTOCOL)
    score.add_argument("--skip-bad", action="store_true")
    score.add_argument("--json", action="store_true")

    listing = commands.add_parser("list", help="list registered models, suites, segmenters or metric protocols")
    listing.add_argument("what", choices=("models", "suites", "segmenters", "protocols"))

    show = commands.add_parser("show", help="a run's summary table, per subset")
    show.add_argument("run")
    show.add_argument("--out", default="runs")
    show.add_argument("--protocol", choices=PROTOCOLS)
    show.add_argument("--baseline", metavar="RUN", help="compute AES against this run (same suite and split)")
    show.add_argument("--json", action="store_true")
    show.add_argument("--format", choices=("table", "json", "lm-eval"), default="table", help="lm-eval: lm-eval's results JSON (lm_eval.utils.make_table reads it)")

    compare = commands.add_parser("compare", help="paired per-sample differences between two runs")
    compare.add_argument("run_a")
    compare.add_argument("run_b")
    compare.add_argument("--out", default="runs")
    compare.add_argument("--protocol", choices=PROTOCOLS, help="default: run A's headline protocol")
    compare.add_argument("--json", action="store_true")

    for module in _command_modules():
        sub = commands.add_parser(module.NAME, help=module.HELP)
        module.add_arguments(sub)
    return parser


def _command_modules() -> list:
    import importlib

    from wisebench.commands import MODULES

    return [importlib.import_module(name) for name in MODULES]


def paper_protocol(model: str, suite: str) -> str:
    """The metric protocol the model's own paper reports under (its spec's `protocol`); lisa for models without
    one. Text suites score with lm-eval whatever is asked."""
    from wisebench.metrics.iou import DEFAULT_PROTOCOL
    from wisebench.registry import MODELS
    from wisebench.text.task import is_text_suite

    if is_text_suite(suite):
        return DEFAULT_PROTOCOL
    loaded = MODELS.load(model)
    return getattr(getattr(loaded, "spec", None), "protocol", None) or getattr(loaded, "protocol", None) or DEFAULT_PROTOCOL


def command_run(args: argparse.Namespace) -> int:
    from wisebench.report import run_report
    from wisebench.runner.config import RunConfig
    from wisebench.runner.run import execute_run
    from wisebench.runner.store import read_run_json, resolve_run_folder

    if args.resume:
        folder = resolve_run_folder(args.resume, args.out)
        try:
            config = RunConfig.from_json(read_run_json(folder)["config"])
        except (KeyError, TypeError, AttributeError) as error:  # a damaged run.json: name it, never a traceback
            raise RunStoreError(f"{folder / 'run.json'}: no usable configuration to resume ({type(error).__name__}: {error}); start the run again with its command") from None
        config.out = str(folder.parent)
        config.batch_size = args.batch_size if args.batch_size != 8 else config.batch_size
        # How to execute is this invocation's choice; what to predict stays the run's.
        config.executor, config.num_workers, config.gpus_per_worker = args.executor, args.num_workers, args.gpus_per_worker
        config.window = args.window
        config.skip_bad = config.skip_bad or args.skip_bad  # the way past a bad file the first session stopped on
    else:
        if not args.model:
            raise WisebenchError("wisebench run needs --model NAME (or --resume RUN); see `wisebench list models`")
        config = RunConfig(
            model=args.model,
            suite=args.suite,
            split=args.split,
            data_dir=args.data_dir,
            limit=args.limit,
            batch_size=1 if args.latency else args.batch_size,
            protocol=args.protocol or paper_protocol(args.model, args.suite),
            seed=args.seed,
            skip_bad=args.skip_bad,
            out=args.out,
            checkpoint=args.checkpoint,
            segmenter=args.segmenter,
            segmenter_checkpoint=args.segmenter_checkpoint,
            device=args.device,
            latency_mode=args.latency,
            settings=dict(args.settings),
            shard=args.shard,
            executor=args.executor,
            num_workers=args.num_workers,
            gpus_per_worker=args.gpus_per_worker,
            window=args.window,
        )
        if args.shard:
            from wisebench.runner.shards import parse_shard

            parse_shard(args.shard)  # fail before loading anything
    from wisebench.runner import signals

    try:
        with signals.termination_handled():  # SIGTERM / SIGHUP end the run as Ctrl-C does
            result = execute_run(config, progress=not args.no_progress)
    except KeyboardInterrupt as interrupt:
        print(f"\n{signals.describe(interrupt)}: finished samples are kept; re-run the same command (or --resume {config.run_id()}) to continue", file=sys.stderr)
        return signals.exit_code(interrupt)
    summary = result.summary
    if args.json:
        print(json.dumps({"run_id": result.run["run_id"], "folder": str(result.folder), "summary": summary}, indent=2))
    else:
        print(run_report(result.run, summary))
        print(f"\nrun folder: {result.folder}")
    return 0


def command_score(args: argparse.Namespace) -> int:
    from wisebench.report import accuracy_table
    from wisebench.scoring.external import score_folder

    result = score_folder(args.suite, args.split, args.data_dir, args.predictions, args.protocol, args.skip_bad)
    if args.json:
        print(json.dumps({key: value for key, value in result.items() if key != "summary"}, indent=2))
        return 0
    print(f"{result['suite']}/{result['split']}  protocol {result['protocol']}  predictions {args.predictions}")
    print(accuracy_table(result["summary"]))
    if result["n_missing"]:
        print(f"\n{result['n_missing']} sample(s) had no prediction file and scored as empty masks, e.g. {', '.join(result['missing'][:5])}")
    return 0


def command_list(args: argparse.Namespace) -> int:
    from wisebench.registry import MODELS, SEGMENTERS, SUITES
    from wisebench.report import table

    if args.what == "protocols":
        return _list_protocols()
    registry = {"models": MODELS, "suites": SUITES, "segmenters": SEGMENTERS}[args.what]
    if args.what == "models":
        return _list_models()
    rows = []
    for entry in registry.entries():
        detail = entry.summary
        if args.what == "suites":
            detail = _suite_detail(entry.name) or detail
        rows.append([entry.name, ", ".join(entry.aliases), detail, entry.source])
    print(table(["name", "aliases", "description", "source"], rows))
    return 0


def _list_models() -> int:
    """Each model with its default checkpoint; then the exact prompt of every spec-based one."""
    from wisebench.registry import MODELS
    from wisebench.report import table
    from wisebench.text.spec import TextModelSpec

    rows, prompts = [], []
    for entry in MODELS.entries():
        try:
            loaded = MODELS.load(entry.name)
        except WisebenchError as error:
            rows.append([entry.name, ", ".join(entry.aliases), "?", f"{entry.summary} (unavailable: {error})", entry.source])
            continue
        spec = getattr(loaded, "spec", None)
        if isinstance(loaded, TextModelSpec):  # a text reasoner is its spec
            checkpoint = loaded.checkpoint
            prompts.append(f"{entry.name} (user turn; {{question}} = lm-eval's prompt for the document):\n  {loaded.instruction!r}")
        elif spec is not None:
            checkpoint = spec.checkpoint or "(--checkpoint required)"
            prompts.append(f"{entry.name} ({{Question}} = the query, lower-cased, {spec.question_strip!r} stripped at both ends):\n  {spec.prompt_template()}")
            prompts.append(f"  scored as its paper: parse {spec.parse_policy} (rules: {spec.upstream_parser or 'none'}), reasoning tokens {spec.token_convention} convention, protocol {spec.protocol}, {spec.generation.max_new_tokens} new tokens")
        else:
            checkpoint = getattr(loaded, "default_checkpoint", None) or "-"
        rows.append([entry.name, ", ".join(entry.aliases), checkpoint, entry.summary, entry.source])
    print(table(["name", "aliases", "checkpoint", "description", "source"], rows))
    if prompts:
        print("\nprompts:")
        print("\n".join(prompts))
    return 0


def _list_protocols() -> int:
    """Each metric protocol, the papers that report under it, and the models whose runs default to it."""
    from wisebench.metrics.iou import PROTOCOL_RULES, PROTOCOL_USERS, PROTOCOLS
    from wisebench.registry import MODELS
    from wisebench.report import table

    defaults: dict[str, list[str]] = {}
    for entry in MODELS.entries():
        try:
            spec = getattr(MODELS.load(entry.name), "spec", None)
        except WisebenchError:
            continue
        if spec is not None and hasattr(spec, "protocol"):
            defaults.setdefault(spec.protocol, []).append(entry.name)
    defaults.setdefault("lisa", []).extend(["lisa", "oracle"])
    rows = [[name, PROTOCOL_USERS[name], ", ".join(sorted(defaults.get(name, []))), PROTOCOL_RULES[name]] for name in PROTOCOLS]
    print(table(["protocol", "papers that report under it", "default for", "rule"], rows))
    print("\ntext suites (lm-eval:TASK) score with lm-eval's metric, protocol lm-eval. Every record holds I and U under every protocol: `wisebench show RUN --protocol P` re-scores.")
    return 0


def _suite_detail(name: str) -> str:
    from wisebench.registry import SUITES

    try:
        suite = SUITES.load(name)
    except WisebenchError:
        return ""
    return f"{suite.description} (splits {'/'.join(suite.splits)})"


def _load_run(run: str, out: str) -> tuple[dict, list[dict]]:
    from wisebench.runner.store import read_records, read_run_json, resolve_run_folder

    folder = resolve_run_folder(run, out)
    return read_run_json(folder), read_records(folder)


def command_show(args: argparse.Namespace) -> int:
    from wisebench.metrics.summary import summarize_run
    from wisebench.report import run_report

    run, records = _load_run(args.run, args.out)
    protocol = args.protocol or run.get("protocol", "lisa")
    baseline = None
    if args.baseline:
        baseline_run, baseline_records = _load_run(args.baseline, args.out)
        baseline = summarize_run(baseline_run, baseline_records, protocol=protocol)
        baseline["run_id"] = baseline_run.get("run_id", args.baseline)
    summary = summarize_run(run, records, protocol=protocol, baseline=baseline)
    if args.format == "lm-eval":
        from wisebench.export import lm_eval_results

        print(json.dumps(lm_eval_results(run, summary), indent=2))
    elif args.json or args.format == "json":
        print(json.dumps({"run_id": run.get("run_id"), "summary": summary}, indent=2))
    else:
        print(run_report(run, summary))
    return 0


def command_compare(args: argparse.Namespace) -> int:
    from wisebench.metrics.summary import compare_paired
    from wisebench.report import comparison_report

    run_a, records_a = _load_run(args.run_a, args.out)
    run_b, records_b = _load_run(args.run_b, args.out)
    protocol = args.protocol or run_a.get("protocol", "lisa")
    comparison = compare_paired(records_a, records_b, protocol=protocol)
    if args.json:
        print(json.dumps(comparison, indent=2))
    else:
        print(comparison_report(run_a.get("run_id", args.run_a), run_b.get("run_id", args.run_b), comparison, protocol))
    return 0


COMMANDS = {"run": command_run, "score": command_score, "list": command_list, "show": command_show, "compare": command_compare}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command in COMMANDS:
            return COMMANDS[args.command](args)
        module = next(module for module in _command_modules() if module.NAME == args.command)
        return module.run(args)
    except WisebenchError as error:
        print(f"wisebench: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `wisebench ... | head`: the reader had enough; no error, and none at exit either
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as error:  # a bug, not bad input: short message unless debugging
        if os.environ.get("WISEBENCH_DEBUG"):
            raise
        print(f"wisebench: internal error: {type(error).__name__}: {error} (set WISEBENCH_DEBUG=1 for the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
