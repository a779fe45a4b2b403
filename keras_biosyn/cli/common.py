"""Helpers shared by the subcommands."""

from __future__ import annotations

from pathlib import Path

import keras

import keras_biosyn  # noqa: F401  (registers the classes a model file names)


def load_model_file(path: Path):
    """Loads a `.keras` model, or exits with a message when there is no such file."""
    if not path.is_file():
        raise SystemExit(f"No model file at {str(path)!r}")
    return keras.models.load_model(path)
