"""`keras-biosyn inspect`: parameter report and coefficient plots of a saved model.

Loads a `.keras` model, prints the parameter report of each BioSynLTC layer,
evaluates the linear system's coefficients along a few input sequences and
writes, per layer, the coefficients (`.npz`) and three plots (`.png`): time
constants and `b` over time, conductance matrices, and the wiring.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from keras_biosyn_cli.common import (
    CommandError,
    bounded,
    check_output_directory,
    embedded_dataset_fits,
    load_keras_model,
    load_sequences,
)

PLOTS = ("time_constants", "conductance", "wiring")


HELP = "print the parameter report and plot the coefficients of a saved model"


def add_arguments(parser: argparse.ArgumentParser):
    parser.add_argument("model", type=Path, metavar="MODEL", help="a .keras model file")
    parser.add_argument(
        "--layer", metavar="NAME", help="one BioSynLTC layer by name (default: all of them)"
    )
    parser.add_argument(
        "--inputs",
        type=Path,
        metavar="FILE.npy",
        help="a .npy file of model inputs (N, time, features) (default: the embedded "
        "Japanese Vowels test split, for models that take it, such as those of "
        "keras-biosyn train)",
    )
    parser.add_argument(
        "--samples", type=bounded(int, 1), default=4, metavar="N", help="sequences to use"
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="output directory (default: inspect/<model file stem>)",
    )
    parser.add_argument("--no-plots", action="store_true", help="skip the PNG plots")


def run(args: argparse.Namespace) -> int:
    out = check_output_directory(args.out or Path("inspect") / args.model.stem, "--out")
    model = load_keras_model(args.model)
    from keras_biosyn.interpretability import parameter_report, select_layers

    try:
        layers = select_layers(model, args.layer)
    except ValueError as error:
        flag = "--layer" if args.layer is not None else "MODEL"
        raise CommandError(f"{flag}: {error}") from None
    inputs = _inputs(args, model)
    out.mkdir(parents=True, exist_ok=True)
    for name in layers:
        print(parameter_report(model, layer=name))
        written = _write_layer(model, name, inputs, out, plots=not args.no_plots)
        print(f"  wrote {', '.join(written)} to {out}\n")
    return 0


def _write_layer(model, name, inputs, out: Path, plots: bool) -> list[str]:
    import numpy as np

    from keras_biosyn.interpretability import sequence_coefficients
    from keras_biosyn.utils.files import write_atomically

    coefficients = sequence_coefficients(model, inputs, layer=name)
    written = [f"{name}_coefficients.npz"]
    write_atomically(out / written[0], lambda file: np.savez(file, **coefficients))
    if plots:
        from keras_biosyn.interpretability import plots as figures

        cell = model.get_layer(name).cell
        draw = {
            "time_constants": lambda p: figures.plot_coefficients_over_time(coefficients, path=p),
            "conductance": lambda p: figures.plot_conductance_matrices(coefficients, path=p),
            "wiring": lambda p: figures.plot_wiring(cell, path=p),
        }
        for plot in PLOTS:
            draw[plot](out / f"{name}_{plot}.png")
            written.append(f"{name}_{plot}.png")
    tau = coefficients["tau"]
    print(
        f"  tau over {tau.shape[0]} sequences x {tau.shape[1]} steps: "
        f"median {np.median(tau):.3g}, range [{tau.min():.3g}, {tau.max():.3g}]"
    )
    return written


def _inputs(args, model):
    if args.inputs is not None:
        return load_sequences(args.inputs, "--inputs", model)[: args.samples]
    if not embedded_dataset_fits(model):
        raise CommandError(
            f"MODEL takes inputs of shape {tuple(model.inputs[0].shape[1:])}, not the embedded "
            "dataset's: pass --inputs FILE.npy"
        )
    from keras_biosyn.datasets import japanese_vowels

    return japanese_vowels.load_japanese_vowels()["test"].x[: args.samples]
