"""What the subcommands share: the error a user can fix, argument types, model files, inputs.

This module imports only the standard library at load time, so that
`keras-biosyn --help` answers at once; TensorFlow, Keras and keras_biosyn are
imported inside the functions that need them.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib.util
import os
import sys
import warnings
import zipfile
from pathlib import Path


class CommandError(Exception):
    """A mistake the user can fix: printed as one `keras-biosyn CMD: error: ...` line, exit 2."""


class ArgumentParser(argparse.ArgumentParser):
    """`argparse.ArgumentParser` whose errors are one line: `prog: error: message` (exit 2)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Shows each option's default in its help, unless the help already says it."""

    def _get_help_string(self, action):
        text = action.help or ""
        if "default" in text or action.default is argparse.SUPPRESS:
            return text
        if isinstance(action, argparse._StoreTrueAction):
            return f"{text} (default: off)"
        if action.default is not None and action.option_strings:
            return f"{text} (default: %(default)s)"
        return text


def bounded(kind, minimum=None, exclusive=False, maximum=None):
    """An argparse `type=` that parses `kind` and checks its bounds."""
    name = "an integer" if kind is int else "a number"

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {name}, got {text!r}") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
        if minimum is not None and (value <= minimum if exclusive else value < minimum):
            relation = ">" if exclusive else ">="
            raise argparse.ArgumentTypeError(f"expected {name} {relation} {minimum}, got {text}")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"expected {name} <= {maximum}, got {text}")
        return value

    parse.__name__ = kind.__name__  # argparse names the type in its messages
    return parse


def comma_list(choices=None, kind=str, minimum=None):
    """An argparse `type=` for a comma-separated list of `kind`, each checked."""

    def parse(text: str):
        items = [item.strip() for item in text.split(",") if item.strip()]
        if not items:
            raise argparse.ArgumentTypeError(f"expected a comma-separated list, got {text!r}")
        try:
            values = [kind(item) for item in items]
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected comma-separated {'integers' if kind is int else 'values'}, got {text!r}"
            ) from None
        if choices is not None:
            unknown = [v for v in values if v not in choices]
            if unknown:
                raise argparse.ArgumentTypeError(
                    f"unknown {', '.join(map(str, unknown))}: choose from {', '.join(choices)}"
                )
        if minimum is not None and min(values) < minimum:
            raise argparse.ArgumentTypeError(f"expected every value >= {minimum}, got {text!r}")
        if len(set(values)) != len(values):
            raise argparse.ArgumentTypeError(f"a value is repeated in {text!r}")
        return values

    parse.__name__ = "list"
    return parse


@contextlib.contextmanager
def quiet_native_logs(enabled: bool = True):
    """Hides the log lines that TensorFlow's and LiteRT's C++ code writes to stderr.

    TensorFlow 2.21 prints them through absl before any log level applies (and
    the TFLite converter and interpreter print with plain `fprintf`), so the
    process's file descriptor 2 is sent to `/dev/null` meanwhile, while
    Python's `sys.stderr` keeps writing to the real stderr. Nothing is hidden
    when `enabled` is false (`--debug`) or the user set `TF_CPP_MIN_LOG_LEVEL`.
    """
    if not enabled or "TF_CPP_MIN_LOG_LEVEL" in os.environ:
        yield
        return
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    python_stderr = sys.stderr
    python_stderr.flush()
    saved = os.dup(2)
    with open(os.devnull, "wb") as sink:
        os.dup2(sink.fileno(), 2)
    if python_stderr is sys.__stderr__:  # else (a test's capture) it writes elsewhere already
        sys.stderr = open(os.dup(saved), "w", buffering=1, encoding=python_stderr.encoding)
    try:
        yield
    finally:
        if sys.stderr is not python_stderr:
            sys.stderr.close()
            sys.stderr = python_stderr
        os.dup2(saved, 2)
        os.close(saved)
        del os.environ["TF_CPP_MIN_LOG_LEVEL"]


def load_keras_model(path: Path, flag: str = "MODEL"):
    """Loads a `.keras` model (compiled as saved, when it holds a compile config), or raises
    `CommandError` saying what `path` is instead."""
    if not path.exists():
        raise CommandError(f"{flag}: no such file: {str(path)!r}")
    if path.is_dir():
        if (path / "saved_model.pb").is_file():
            raise CommandError(
                f"{flag}: {str(path)!r} is a SavedModel directory; this command needs the "
                "`.keras` file (keras-biosyn train writes both)"
            )
        raise CommandError(f"{flag}: {str(path)!r} is a directory, not a `.keras` file")
    if path.suffix.lower() == ".tflite":
        raise CommandError(
            f"{flag}: {str(path)!r} is a TFLite file; this command needs the `.keras` model "
            "it was exported from"
        )
    if path.suffix.lower() != ".keras" or not zipfile.is_zipfile(path):
        raise CommandError(
            f"{flag}: {str(path)!r} is not a Keras model file: expected a `.keras` archive "
            "(as written by model.save)"
        )
    import keras

    import keras_biosyn  # noqa: F401  (registers the classes a model file names)

    try:
        with warnings.catch_warnings():
            # a model compiled but never trained was saved with an optimizer without state:
            # it is compiled afresh, as the warning says, which is all a command needs
            warnings.filterwarnings(
                "ignore", message="Skipping variable loading for optimizer", category=UserWarning
            )
            return keras.models.load_model(path)
    except Exception as error:  # Keras raises ValueError, TypeError, KeyError...
        reason = str(error).strip().split(". ")[0].splitlines()[0] if str(error).strip() else ""
        raise CommandError(
            f"{flag}: {str(path)!r} does not load as a Keras model: "
            f"{reason or type(error).__name__}"
        ) from error


def checked_inputs(data, model, flag: str):
    """`data` checked against `model`'s input by the library's one check, or `CommandError`."""
    from keras_biosyn.utils.validation import check_sequences, model_input_shape

    try:
        return check_sequences(data, model_input_shape(model), flag)
    except (TypeError, ValueError) as error:
        raise CommandError(str(error)) from None


def load_sequences(path: Path, flag: str, model) -> object:
    """Loads a `.npy` of model inputs `(batch, time, features)` that fit `model`'s input."""
    import numpy as np

    if not path.is_file():
        raise CommandError(f"{flag}: no such file: {str(path)!r}")
    try:
        data = np.load(path, allow_pickle=False)
    except (ValueError, OSError) as error:
        raise CommandError(f"{flag}: {str(path)!r} is not a .npy array file ({error})") from None
    return checked_inputs(data, model, flag)


def check_output_directory(path: Path, flag: str) -> Path:
    """An output directory that exists or can be made, or a `CommandError`."""
    if path.exists() and not path.is_dir():
        raise CommandError(f"{flag}: {str(path)!r} exists and is not a directory")
    parent = next((p for p in [path, *path.parents] if p.exists()), Path("."))
    if not os.access(parent, os.W_OK):
        raise CommandError(f"{flag}: cannot write under {str(parent)!r}")
    return path


def embedded_dataset_fits(model) -> bool:
    """Whether `model` takes Japanese Vowels sequences (the embedded dataset)."""
    from keras_biosyn.datasets import japanese_vowels

    expected = (japanese_vowels.MAX_LENGTH, japanese_vowels.NUM_FEATURES)
    return tuple(model.inputs[0].shape[1:]) == expected


@functools.cache
def export_vocabulary():
    """`keras_biosyn.export.vocabulary`, where the export's names are defined.

    Read from its file without importing `keras_biosyn` (whose import loads
    TensorFlow), so that `--help` can list the choices at once; the module
    itself when the package is already imported.
    """
    name = "keras_biosyn.export.vocabulary"
    if name in sys.modules:
        return sys.modules[name]
    package = importlib.util.find_spec("keras_biosyn")
    path = Path(next(iter(package.submodule_search_locations))) / "export" / "vocabulary.py"
    spec = importlib.util.spec_from_file_location(f"{__name__}.export_vocabulary", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def add_quantize_argument(parser: argparse.ArgumentParser, default, default_help: str):
    """`--quantize LIST`, shared by `export` and `prune`."""
    names = export_vocabulary().QUANTIZATIONS
    parser.add_argument(
        "--quantize",
        type=comma_list(names),
        default=default,
        metavar="LIST",
        help=f"TFLite files to write, comma-separated among {', '.join(names)}; int8 computes "
        f"the synapses in int8 and the membrane update in float32 (default: {default_help})",
    )


def add_export_layout_argument(parser: argparse.ArgumentParser):
    """`--export-layout`, shared by `export` and `prune`."""
    parser.add_argument(
        "--export-layout",
        "--synapse-layout",  # its name until 0.2; a cell's synapse_layout is another setting
        dest="export_layout",
        choices=export_vocabulary().EXPORT_LAYOUTS,
        default="dense",
        help="how the .tflite files compute the synapses: dense (runs on TFLite Micro), model "
        "(each cell's own synapse_layout: a sparse cell stores only its synapses) or fastest "
        "(both converted and timed in LiteRT here, the faster kept)",
    )


def add_force_argument(parser: argparse.ArgumentParser):
    """`--force`, shared by `export` and `prune`."""
    parser.add_argument(
        "--force",
        action="store_true",
        help="write an int8 file even when it is further from float32 on the calibration "
        "inputs than the tolerance (int8 changes at most 2 %% of a classifier's predicted "
        "classes, or errs by at most 10 %% of the outputs' spread)",
    )


def write_model_set(model, directory: Path, stem: str, force: bool, **options) -> dict:
    """`keras_biosyn.model_set.write_model_set`, printing each file as it is measured; an
    int8 file outside the tolerance (without `--force`) is a `CommandError` naming the fixes."""
    from keras_biosyn import model_set

    try:
        return model_set.write_model_set(
            model, directory, stem, force=force, on_file=print_measured, progress=print, **options
        )
    except model_set.Int8OutsideTolerance as error:
        raise CommandError(
            f"{error}: calibrate on more inputs like the device's with --calibration FILE.npy, "
            "keep float32 (--quantize float32), or write it anyway with --force"
        ) from None


def print_measured(measured) -> None:
    """One form of a model set as `write_model_set` measured it (a `MeasuredFile`)."""
    entry = measured.entry
    accuracy = f", test accuracy {entry['test_accuracy']:.4f}" if "test_accuracy" in entry else ""
    kind = {"keras": "Keras", "saved_model": "SavedModel, serve endpoint"}.get(entry["format"])
    if kind is not None:
        print(f"{entry['file']}: {entry['size_bytes'] / 1024:.1f} KB ({kind}){accuracy}")
        return
    timings = entry.get("litert_microseconds")
    if timings:
        measured_layouts = ", ".join(f"{name} {value:.1f} µs" for name, value in timings.items())
        print(
            f"{entry['file']}: export layout {entry['export_layout']} ({measured_layouts} per "
            "step)"
        )
    print(f"{entry['file']}: {entry['size_bytes'] / 1024:.1f} KB, ops {', '.join(entry['ops'])}")
    parity = entry.get("parity")
    if parity:
        unit = "steps" if entry["format"] == "tflite_streaming" else "sequences"
        print(
            f"  vs Keras over {parity['steps']} {unit}: max error {parity['max_abs_error']:.2e}, "
            f"mean {parity['mean_abs_error']:.2e} (output std {parity['output_std']:.2e})"
            f"{accuracy}"
        )
    print(f"  on a device: {measured.profile.summary()}")
    if measured.agreement is not None:
        agreement = measured.agreement
        verdict = (
            "within tolerance" if agreement.within_tolerance else "OUTSIDE it, written anyway"
        )
        print(f"  against float32 on the calibration inputs: {agreement.summary()}, {verdict}")


def export_inputs(
    model, inputs: Path | None = None, calibration: Path | None = None, needs_calibration=False
) -> dict:
    """What a model set is checked and calibrated on, as `write_model_set` keywords.

    `inputs`: a `.npy` of model inputs (`--inputs`) for the parity checks and,
    without `calibration`, int8 calibration; without it, the embedded Japanese
    Vowels set (test split labelled, the first 64 training utterances to
    calibrate) when `model` takes it, else random sequences for the parity checks.
    `calibration`: a `.npy` of real inputs to calibrate int8 on (`--calibration`).
    """
    import numpy as np

    from keras_biosyn.datasets import Split
    from keras_biosyn.model_set import PARITY_SEQUENCES

    data = {"calibration": None, "calibration_source": None}
    if inputs is not None:
        x = load_sequences(inputs, "--inputs", model)
        data["evaluation"] = Split(x[:PARITY_SEQUENCES], None, None)
        data["evaluation_source"] = f"--inputs {inputs}"
        data["calibration"], data["calibration_source"] = x, f"--inputs {inputs}"
    elif embedded_dataset_fits(model):
        from keras_biosyn.datasets import japanese_vowels

        splits = japanese_vowels.load_japanese_vowels()
        data["evaluation"] = splits["test"]
        data["evaluation_source"] = "the Japanese Vowels test split"
        data["calibration"] = splits["train"].x[:64]
        data["calibration_source"] = "the first 64 Japanese Vowels training utterances"
    else:
        shape = tuple(model.inputs[0].shape[1:])
        rng = np.random.default_rng(0)
        x = rng.normal(size=(PARITY_SEQUENCES, shape[0] or 100, shape[-1])).astype("float32")
        data["evaluation"] = Split(x, None, None)
        data["evaluation_source"] = "random normal sequences (no --inputs given)"
    if calibration is not None:
        data["calibration"] = load_sequences(calibration, "--calibration", model)
        data["calibration_source"] = f"--calibration {calibration}"
    if needs_calibration and data["calibration"] is None:
        raise CommandError(
            "--quantize int8 calibrates on real inputs, and this model does not take the "
            "embedded dataset: pass --calibration FILE.npy (training sequences shaped "
            "(N, time, features)), or leave int8 out with --quantize float32"
        )
    return data
