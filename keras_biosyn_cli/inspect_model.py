"""`keras-biosyn inspect`: parameter report, circuit description and coefficient plots.

Loads a `.keras` model and, for each BioSynLTC layer, prints its parameter
report and a description of the learned linear system over all the input
sequences (per neuron its time constants, leak and strongest excitatory and
inhibitory inputs; per input feature the neurons it drives), evaluates the
coefficients along the first few sequences and writes the coefficients
(`.npz`) and four plots (`.png`): time constants and `b` over time,
conductance matrices, the wiring, and the circuit (arrow width = mean
conductance, colour = polarity).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
from pathlib import Path

from keras_biosyn_cli.common import (
    CommandError,
    bounded,
    check_output_directory,
    embedded_dataset_fits,
    load_keras_model,
    load_sequences,
)

PLOTS = ("time_constants", "conductance", "wiring", "circuit")


HELP = "describe the learned circuit of a saved model and plot its coefficients"


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
        "--samples",
        type=bounded(int, 1),
        default=4,
        metavar="N",
        help="sequences for the coefficient file and the plots over time; the description "
        "uses all of them (default: %(default)s)",
    )
    parser.add_argument(
        "--top",
        type=bounded(int, 1),
        default=3,
        metavar="N",
        help="inputs listed per neuron and polarity in the description",
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
    from keras_biosyn.interpretability import describe, parameter_report, select_layers

    try:
        layers = select_layers(model, args.layer)
    except ValueError as error:
        flag = "--layer" if args.layer is not None else "MODEL"
        raise CommandError(f"{flag}: {error}") from None
    inputs = _inputs(args, model)
    out.mkdir(parents=True, exist_ok=True)
    for name in layers:
        print(parameter_report(model, layer=name))
        with _quiet_retracing(enabled=not args.debug):
            description = describe(model, inputs, layer=name, top=args.top)
            print(f"\n{description}\n")
            written = _write_layer(
                model, name, inputs[: args.samples], out, description, plots=not args.no_plots
            )
        print(f"  wrote {', '.join(written)} to {out}\n")
    return 0


@contextlib.contextmanager
def _quiet_retracing(enabled: bool):
    """Hides TensorFlow's Python warnings (the coefficient models' retracing notes) meanwhile."""
    logger = logging.getLogger("tensorflow")
    level = logger.level
    if enabled:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _write_layer(model, name, inputs, out: Path, description, plots: bool) -> list[str]:
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
            "circuit": description.plot,
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
        return load_sequences(args.inputs, "--inputs", model)
    if not embedded_dataset_fits(model):
        raise CommandError(
            f"MODEL takes inputs of shape {tuple(model.inputs[0].shape[1:])}, not the embedded "
            "dataset's: pass --inputs FILE.npy"
        )
    from keras_biosyn.datasets import japanese_vowels

    return japanese_vowels.load_japanese_vowels()["test"].x
