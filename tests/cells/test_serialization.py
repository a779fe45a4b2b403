"""Every serialization path: config round trips, .keras files, weights files."""

import keras
import numpy as np
import pytest

from keras_biosyn import BioSynLTCCell, wirings
from tests.testing import assert_config_round_trip, assert_keras_round_trip, rnn_model

WIRINGS = {
    "int": lambda: 6,
    "fully_connected": lambda: wirings.FullyConnected(6, output_size=2, seed=1),
    "random": lambda: wirings.Random(6, output_size=2, sparsity=0.4, seed=1),
    "ncp": lambda: wirings.NCP(4, 3, 2, 2, 2, 3, 2, seed=1),
    "auto_ncp": lambda: wirings.AutoNCP(9, output_size=2, sparsity=0.5, seed=1),
}


@pytest.fixture
def x(rng):
    return rng.normal(size=(3, 10, 4)).astype("float32")


@pytest.mark.parametrize("wiring", sorted(WIRINGS))
def test_config_round_trip_before_and_after_build(wiring, x):
    cell = BioSynLTCCell(
        WIRINGS[wiring](),
        ode_unfolds=3,
        solver="rk4",
        input_mapping="linear",
        output_mapping=None,
        w_regularizer="l1",
    )
    rebuilt = assert_config_round_trip(cell)
    assert rebuilt.wiring.get_config() == cell.wiring.get_config()
    keras.layers.RNN(cell)(x)
    rebuilt = assert_config_round_trip(cell)
    assert rebuilt.wiring.input_dim == 4
    keras.layers.RNN(rebuilt)(x)
    np.testing.assert_array_equal(rebuilt.adjacency.numpy(), cell.adjacency.numpy())


@pytest.mark.parametrize("wiring", sorted(WIRINGS))
def test_bare_rnn_model_keras_round_trip(wiring, x, tmp_path):
    model = keras.Sequential(
        [keras.Input((10, 4)), keras.layers.RNN(BioSynLTCCell(WIRINGS[wiring]()))]
    )
    assert_keras_round_trip(model, x, tmp_path)


def test_nested_models_round_trip(x, tmp_path):
    inner = keras.Sequential(
        [
            keras.Input((10, 4)),
            keras.layers.RNN(BioSynLTCCell(wirings.AutoNCP(8, 3, seed=2)), return_sequences=True),
        ],
        name="inner",
    )
    inputs = keras.Input((10, 4))
    hidden = inner(inputs)
    hidden = keras.layers.Bidirectional(keras.layers.RNN(BioSynLTCCell(4, time_input=True)))(
        hidden
    )
    model = keras.Model(inputs, keras.layers.Dense(2)(hidden))
    model.compile("adam", "mse")
    model.fit(x, np.ones((3, 2)), epochs=1, verbose=0)  # weights differ from init
    assert_keras_round_trip(model, x, tmp_path)


def test_masks_travel_with_the_weights(x, tmp_path):
    """The saved graph is loaded, never regenerated from the wiring's seed."""
    cell = BioSynLTCCell(wirings.FullyConnected(5, seed=1))
    model = rnn_model(cell, 10, 4)
    pruned = cell.adjacency.numpy()
    pruned[0, :] = 0.0
    cell.adjacency.assign(pruned)
    sensory = cell.sensory_adjacency.numpy()
    sensory[:, 1] = 0.0
    cell.sensory_adjacency.assign(sensory)
    loaded = assert_keras_round_trip(model, x, tmp_path)
    loaded_cell = loaded.layers[-1].cell
    np.testing.assert_array_equal(loaded_cell.adjacency.numpy(), pruned)
    np.testing.assert_array_equal(loaded_cell.sensory_adjacency.numpy(), sensory)
    assert not np.array_equal(pruned, loaded_cell.wiring.adjacency_matrix)


def test_weights_file_round_trip(x, tmp_path):
    make = lambda: rnn_model(BioSynLTCCell(wirings.Random(6, 2, seed=4)), 10, 4)  # noqa: E731
    model = make()
    path = tmp_path / "model.weights.h5"
    model.save_weights(path)
    other = make()
    other.load_weights(path)
    np.testing.assert_array_equal(model.predict(x, verbose=0), other.predict(x, verbose=0))


def test_mixed_precision_model_round_trip(x, tmp_path):
    keras.config.set_dtype_policy("mixed_float16")
    model = rnn_model(BioSynLTCCell(5, output_size=2), 10, 4)
    loaded = assert_keras_round_trip(model, x, tmp_path)
    assert loaded.layers[-1].cell.dtype_policy.name == "mixed_float16"


def test_everything_is_registered_under_the_package_name():
    for obj in [
        BioSynLTCCell(3),
        wirings.FullyConnected(3),
        wirings.Random(3),
        wirings.NCP(2, 2, 1, 1, 1, 1, 1),
        wirings.AutoNCP(5, 1),
    ]:
        name = keras.saving.get_registered_name(type(obj))
        assert name == f"keras_biosyn>{type(obj).__name__}"
