"""Checks shared by the test modules: model building, save/load and config round trips."""

from __future__ import annotations

import keras
import numpy as np

from keras_biosyn import BioSynLTCCell


def rnn_model(cell: BioSynLTCCell, steps: int, features: int, **rnn_kwargs):
    """`Input -> RNN(cell)` as a functional model."""
    inputs = keras.Input((steps, features))
    outputs = keras.layers.RNN(cell, **rnn_kwargs)(inputs)
    return keras.Model(inputs, outputs)


def assert_outputs_equal(a, b, atol=0.0):
    for x, y in zip(keras.tree.flatten(a), keras.tree.flatten(b), strict=True):
        np.testing.assert_allclose(np.asarray(x), np.asarray(y), rtol=0, atol=atol)


def assert_keras_round_trip(model, inputs, tmp_path, name="model"):
    """Saves `model` as .keras, loads it, and checks outputs and weights are identical."""
    path = tmp_path / f"{name}.keras"
    expected = model.predict(inputs, verbose=0)
    model.save(path)
    loaded = keras.models.load_model(path)
    assert_outputs_equal(expected, loaded.predict(inputs, verbose=0))
    for original, restored in zip(model.weights, loaded.weights, strict=True):
        assert original.name == restored.name
        np.testing.assert_array_equal(original.numpy(), restored.numpy())
    return loaded


def assert_config_round_trip(layer):
    """`from_config(get_config())` rebuilds a layer with the same config."""
    config = layer.get_config()
    rebuilt = type(layer).from_config(config)
    assert rebuilt.get_config() == config
    return rebuilt


def snapshot(directory) -> dict:
    """Every path under `directory` with its bytes (None for a directory), to compare states."""
    return {
        p.relative_to(directory).as_posix(): None if p.is_dir() else p.read_bytes()
        for p in sorted(directory.rglob("*"))
    }
