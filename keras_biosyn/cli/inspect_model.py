"""`keras-biosyn inspect`: parameter report and coefficient plots of a saved model.

Loads a `.keras` model, prints the parameter report of each BioSynLTC layer,
evaluates the linear system's coefficients along a few input sequences and
writes, per layer, the coefficients (`.npz`) and three plots (`.png`): time
constants and `b` over time, conductance matrices, and the wiring.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from keras_biosyn.cli.common import load_model_file
from keras_biosyn.datasets import japanese_vowels
from keras_biosyn.interpretability import parameter_report, select_layers, sequence_coefficients


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "inspect",
        help="print the parameter report and plot the coefficients of a saved model",
        description=__doc__.split("\n\n")[1].replace("\n", " "),
    )
    parser.add_argument("model", type=Path, help="a .keras file")
    parser.add_argument("--layer", help="one BioSynLTC layer (default: all)")
    parser.add_argument(
        "--inputs",
        type=Path,
        help="a .npy file of model inputs (batch, time, features); default: the "
        "embedded Japanese Vowels test split, for models made by `keras-biosyn train`",
    )
    parser.add_argument("--samples", type=int, default=4, help="sequences to evaluate")
    parser.add_argument("--out", type=Path, help="output directory (default: inspect/<model>)")
    parser.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    if args.samples < 1:
        raise SystemExit(f"--samples must be >= 1, got {args.samples}")
    model = load_model_file(args.model)
    layers = select_layers(model, args.layer)
    inputs = _inputs(args, model)
    out = args.out or Path("inspect") / args.model.stem
    out.mkdir(parents=True, exist_ok=True)
    for name in layers:
        print(parameter_report(model, layer=name))
        coefficients = sequence_coefficients(model, inputs, layer=name)
        np.savez(out / f"{name}_coefficients.npz", **coefficients)
        written = [f"{name}_coefficients.npz"]
        if not args.no_plots:
            written += _plots(model.get_layer(name).cell, name, coefficients, out)
        tau = coefficients["tau"]
        print(
            f"  tau over {tau.shape[0]} sequences x {tau.shape[1]} steps: "
            f"median {np.median(tau):.3g}, range [{tau.min():.3g}, {tau.max():.3g}]"
        )
        print(f"  wrote {', '.join(written)} to {out}\n")
    return 0


def _inputs(args, model):
    if args.inputs is not None:
        inputs = np.load(args.inputs)
    else:
        expected = (japanese_vowels.MAX_LENGTH, japanese_vowels.NUM_FEATURES)
        if tuple(model.inputs[0].shape[1:]) != expected:
            raise SystemExit(
                f"The model expects inputs of shape {tuple(model.inputs[0].shape[1:])}, not the "
                f"embedded dataset's {expected}: pass --inputs FILE.npy"
            )
        inputs = japanese_vowels.load_japanese_vowels()["test"].x
    return np.asarray(inputs, dtype="float32")[: args.samples]


def _plots(cell, name, coefficients, out):
    from keras_biosyn.interpretability import plots

    files = {
        f"{name}_time_constants.png": lambda p: plots.plot_coefficients_over_time(
            coefficients, path=p
        ),
        f"{name}_conductance.png": lambda p: plots.plot_conductance_matrices(coefficients, path=p),
        f"{name}_wiring.png": lambda p: plots.plot_wiring(cell, path=p),
    }
    for file, draw in files.items():
        draw(out / file)
    return list(files)
