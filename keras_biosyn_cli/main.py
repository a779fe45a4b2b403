"""Entry point of the `keras-biosyn` command: one subcommand per module of this package.

Each module holds its `HELP` line, `add_arguments(parser)` and `run(args) -> int`, and its
docstring's second paragraph describes the command. Only the standard library is imported
here and in the subcommand modules at load time, so `--help` answers at once; each command
imports TensorFlow and keras_biosyn when it runs. A user's mistake prints one line
`keras-biosyn CMD: error: ...` and exits with 2; `--debug` shows the traceback.
"""

from __future__ import annotations

import argparse
import sys

from keras_biosyn_cli import benchmark, export_model, inspect_model, prune, train
from keras_biosyn_cli.common import ArgumentParser, CommandError, HelpFormatter, quiet_native_logs

SUBCOMMANDS = {
    "train": train,
    "inspect": inspect_model,
    "export": export_model,
    "prune": prune,
    "benchmark": benchmark,
}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("keras-biosyn")
    except PackageNotFoundError:  # run from a source tree that is not installed
        return "unknown (not installed)"


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="keras-biosyn",
        description="LTC networks with biophysical synapses for Keras 3.",
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--debug",
        action="store_true",
        help="show tracebacks and TensorFlow's log lines instead of one-line errors",
    )
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=ArgumentParser
    )
    for name, module in SUBCOMMANDS.items():
        command = subparsers.add_parser(
            name,
            help=module.HELP,
            description=module.__doc__.split("\n\n")[1],
            parents=[common],
            formatter_class=HelpFormatter,
        )
        module.add_arguments(command)
        command.set_defaults(prog=command.prog, run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Runs `keras-biosyn ARGV...` and returns its exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit:  # --help, --version and usage errors
        return exit.code if isinstance(exit.code, int) else 2
    args.argv = argv
    try:
        with quiet_native_logs(enabled=not args.debug):
            return args.run(args)
    except CommandError as error:
        if args.debug:
            raise
        print(f"{args.prog}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{args.prog}: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        if args.debug:
            raise
        reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
        print(
            f"{args.prog}: error: {type(error).__name__}: {reason} "
            "(run again with --debug for the traceback)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
