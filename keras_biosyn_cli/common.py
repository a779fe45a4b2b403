"""What the subcommands share: the error a user can fix, argument types, model files, inputs.

This module imports only the standard library at load time, so that
`keras-biosyn --help` answers at once; TensorFlow, Keras and keras_biosyn are
imported inside the functions that need them.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
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
    """Loads a `.keras` model, or raises `CommandError` saying what `path` is instead."""
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
        return keras.models.load_model(path, compile=False)
    except Exception as error:  # Keras raises ValueError, TypeError, KeyError...
        reason = str(error).strip().split(". ")[0].splitlines()[0] if str(error).strip() else ""
        raise CommandError(
            f"{flag}: {str(path)!r} does not load as a Keras model: "
            f"{reason or type(error).__name__}"
        ) from error


def load_sequences(path: Path, flag: str, model) -> object:
    """Loads a `.npy` of model inputs `(batch, time, features)` that fit `model`'s input."""
    import numpy as np

    if not path.is_file():
        raise CommandError(f"{flag}: no such file: {str(path)!r}")
    try:
        data = np.load(path, allow_pickle=False)
    except (ValueError, OSError) as error:
        raise CommandError(f"{flag}: {str(path)!r} is not a .npy array file ({error})") from None
    expected = tuple(model.inputs[0].shape[1:])
    fits = data.ndim == 3 and all(
        e is None or e == d for e, d in zip(expected, data.shape[1:], strict=True)
    )
    if not fits or len(data) == 0:
        shape = ", ".join("T" if e is None else str(e) for e in expected)
        raise CommandError(
            f"{flag}: expected model inputs of shape (N, {shape}) with N >= 1. "
            f"Received: an array of shape {data.shape} from {str(path)!r}"
        )
    if not np.issubdtype(data.dtype, np.number) or not np.all(np.isfinite(data)):
        raise CommandError(f"{flag}: expected finite numbers in {str(path)!r}")
    return data.astype("float32")


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
