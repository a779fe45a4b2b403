"""Entry point of the `keras-biosyn` command: one subcommand per module of this package."""

from __future__ import annotations

import argparse
import sys

from keras_biosyn.cli import benchmark, export_model, inspect_model, train
from keras_biosyn.version import __version__

SUBCOMMANDS = {
    "train": train,
    "inspect": inspect_model,
    "export": export_model,
    "benchmark": benchmark,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="keras-biosyn",
        description="LTC networks with biophysical synapses for Keras 3.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in SUBCOMMANDS.values():
        module.add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    args.argv = argv
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
