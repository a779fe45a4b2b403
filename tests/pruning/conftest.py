"""Tiny circuits and data for the pruning tests."""

import keras
import numpy as np
import pytest

from keras_biosyn import BioSynLTCCell, wirings

STEPS, FEATURES = 5, 3


def make_model(units=5, wiring=None, compile=True, seed=0, layout="auto"):
    """`Input(5, 3) -> Dense(3) -> RNN(BioSynLTCCell) -> Dense(2)`, compiled with accuracy."""
    keras.utils.set_random_seed(seed)
    cell = BioSynLTCCell(wiring or wirings.FullyConnected(units, seed=seed), synapse_layout=layout)
    inputs = keras.Input((STEPS, FEATURES))
    hidden = keras.layers.Dense(FEATURES, name="upstream")(inputs)
    outputs = keras.layers.Dense(2, name="head")(keras.layers.RNN(cell, name="ltc")(hidden))
    model = keras.Model(inputs, outputs)
    if compile:
        model.compile(
            keras.optimizers.Adam(0.01),
            keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            metrics=["accuracy"],
        )
    return model


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(12, STEPS, FEATURES)).astype("float32")
    return x, (x[:, :, 0].sum(axis=1) > 0).astype("int32")


@pytest.fixture
def model():
    return make_model()
