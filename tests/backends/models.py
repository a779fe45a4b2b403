"""Models and data shared by the check scripts and the tests that read their results."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

from keras_biosyn import BioSynLTCCell, CTRNNCell, wirings

STEPS, FEATURES, SAMPLES = 12, 3, 16


def cells() -> dict:
    """One cell per code path: dense synapses, sparse synapses (AutoNCP), CTRNN."""
    return {
        "dense": BioSynLTCCell(8, output_size=4),
        "sparse": BioSynLTCCell(
            wirings.AutoNCP(12, output_size=2, sparsity=0.5, seed=1), synapse_layout="sparse"
        ),
        "ctrnn": CTRNNCell(8, output_size=4),
    }


def build(cell, steps: int = STEPS, features: int = FEATURES) -> keras.Model:
    """`Input -> RNN(cell) -> Dense(1)`."""
    inputs = keras.Input((steps, features))
    outputs = keras.layers.Dense(1)(keras.layers.RNN(cell, name="ltc")(inputs))
    return keras.Model(inputs, outputs)


def data(seed: int = 0, samples: int = SAMPLES) -> dict:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(samples, STEPS, FEATURES)).astype("float32")
    y = (np.tanh(x[:, -3:, :1].sum(axis=1)) + 0.1 * rng.normal(size=(samples, 1))).astype(
        "float32"
    )
    return {"x": x, "y": y}


def save(path: Path, arrays: dict) -> None:
    np.savez(path, **{key: np.asarray(value) for key, value in arrays.items()})


def load(path: Path) -> dict:
    with np.load(path) as stored:
        return {key: stored[key] for key in stored.files}


def weights(model: keras.Model, prefix: str) -> dict:
    """The model's weights as `{prefix/index: array}`."""
    return {f"{prefix}/{i}": np.asarray(w) for i, w in enumerate(model.get_weights())}
