"""Checks shared by the test modules: wirings, model building, save/load and config round trips."""

from __future__ import annotations

import keras
import numpy as np

from keras_biosyn import BioSynLTCCell, wirings

# The wiring kinds every parametrized test draws from (and their pytest ids).
WIRING_KINDS = ("fully_connected", "random", "ncp", "auto_ncp")


def make_wiring(
    kind: str,
    units: int = 9,
    output_size: int = 2,
    sparsity: float = 0.5,
    seed: int = 1,
) -> wirings.Wiring:
    """A small wiring of `kind`: the one definition the test modules share.

    Args:
        kind: One of `WIRING_KINDS`.
        units: Number of neurons. An `"ncp"` has `output_size` motor, 3 command
            and `units - output_size - 3` inter neurons.
        output_size: Number of output (motor) neurons.
        sparsity: Fraction of absent synapses (`"random"` and `"auto_ncp"`).
        seed: Seed of the graph.

    Returns:
        The wiring.

    Example:

    >>> make_wiring("ncp").units  # NCP(4, 3, 2, ...)
    9
    """
    if kind == "fully_connected":
        return wirings.FullyConnected(units, output_size=output_size, seed=seed)
    if kind == "random":
        return wirings.Random(units, output_size=output_size, sparsity=sparsity, seed=seed)
    if kind == "ncp":
        inter = units - output_size - 3
        return wirings.NCP(inter, 3, output_size, 2, 2, 3, 2, seed=seed)
    if kind == "auto_ncp":
        return wirings.AutoNCP(units, output_size=output_size, sparsity=sparsity, seed=seed)
    raise ValueError(f"Expected `kind` to be one of {WIRING_KINDS}. Received: kind={kind!r}")


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
