"""Fixtures of the command-line tests."""

import keras
import numpy as np
import pytest

from keras_biosyn import export
from tests.cli.cli import SAVED


@pytest.fixture(scope="module")
def wrong_files(tmp_path_factory):
    """Files a user may pass instead of a `.keras` model."""
    directory = tmp_path_factory.mktemp("wrong")
    model = keras.models.load_model(SAVED)
    saved_model = export.export_saved_model(model, directory / "model_savedmodel")
    tflite = export.export_tflite(model, directory / "model.tflite")
    (directory / "notes.keras").write_text("not a model")
    (directory / "empty").mkdir()
    lstm = keras.Sequential([keras.Input((29, 12)), keras.layers.LSTM(4), keras.layers.Dense(2)])
    lstm.save(directory / "lstm.keras")
    # reads each sequence backwards too: it cannot be stepped forward one input at a time
    bidirectional = keras.Sequential(
        [
            keras.Input((29, 12)),
            keras.layers.Bidirectional(keras.layers.LSTM(4)),
            keras.layers.Dense(2),
        ]
    )
    bidirectional.save(directory / "bidirectional.keras")
    np.save(directory / "wrong_shape.npy", np.zeros((2, 29, 5), "float32"))
    np.save(directory / "nan.npy", np.full((2, 29, 12), np.nan, "float32"))
    (directory / "text.npy").write_text("not an array")
    return {
        "saved_model": saved_model,
        "tflite": tflite,
        "not_a_model": directory / "notes.keras",
        "directory": directory / "empty",
        "missing": directory / "missing.keras",
        "lstm": directory / "lstm.keras",
        "bidirectional": directory / "bidirectional.keras",
        "wrong_shape": directory / "wrong_shape.npy",
        "nan": directory / "nan.npy",
        "text": directory / "text.npy",
    }
