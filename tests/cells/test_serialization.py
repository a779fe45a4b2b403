"""Every serialization path: config round trips, .keras files, weights files."""

import keras
import numpy as np
import pytest

from keras_biosyn import BioSynLTCCell, CTRNNCell, wirings
from tests.test_case import TestCase
from tests.testing import WIRING_KINDS, make_wiring, rnn_model

# A plain int gives a fully connected circuit too.
UNITS_OR_WIRINGS = ("int", *WIRING_KINDS)


def units_or_wiring(kind):
    return 6 if kind == "int" else make_wiring(kind)


@pytest.fixture
def x(rng):
    return rng.normal(size=(3, 10, 4)).astype("float32")


class TestSerialization(TestCase):
    def test_wirings_round_trip_through_json_with_the_same_graph(self, wiring):
        revived = self.run_serialization_test(wiring)
        np.testing.assert_array_equal(revived.adjacency_matrix, wiring.adjacency_matrix)
        np.testing.assert_array_equal(revived.sensory_adjacency(4), wiring.sensory_adjacency(4))

    @pytest.mark.parametrize("kind", UNITS_OR_WIRINGS)
    def test_config_round_trip_before_and_after_build(self, kind, x):
        cell = BioSynLTCCell(
            units_or_wiring(kind),
            ode_unfolds=3,
            solver="rk4",
            input_mapping="linear",
            output_mapping=None,
            w_regularizer="l1",
        )
        rebuilt = self.run_serialization_test(cell)
        assert rebuilt.wiring.get_config() == cell.wiring.get_config()
        keras.layers.RNN(cell)(x)
        rebuilt = self.run_serialization_test(cell)
        assert rebuilt.wiring.input_dim == 4
        keras.layers.RNN(rebuilt)(x)
        np.testing.assert_array_equal(rebuilt.adjacency.numpy(), cell.adjacency.numpy())

    @pytest.mark.parametrize("kind", UNITS_OR_WIRINGS)
    def test_bare_rnn_model_keras_round_trip(self, kind, x, tmp_path):
        model = keras.Sequential(
            [keras.Input((10, 4)), keras.layers.RNN(BioSynLTCCell(units_or_wiring(kind)))]
        )
        self.run_model_saving_test(model, x, tmp_path)

    def test_nested_models_round_trip(self, x, tmp_path):
        inner = keras.Sequential(
            [
                keras.Input((10, 4)),
                keras.layers.RNN(
                    BioSynLTCCell(wirings.AutoNCP(8, 3, seed=2)), return_sequences=True
                ),
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
        self.run_model_saving_test(model, x, tmp_path)

    def test_masks_travel_with_the_weights(self, x, tmp_path):
        """The saved graph is loaded, never regenerated from the wiring's seed."""
        cell = BioSynLTCCell(wirings.FullyConnected(5, seed=1))
        model = rnn_model(cell, 10, 4)
        pruned = cell.adjacency.numpy()
        pruned[0, :] = 0.0
        cell.adjacency.assign(pruned)
        sensory = cell.sensory_adjacency.numpy()
        sensory[:, 1] = 0.0
        cell.sensory_adjacency.assign(sensory)
        loaded = self.run_model_saving_test(model, x, tmp_path)
        loaded_cell = loaded.layers[-1].cell
        np.testing.assert_array_equal(loaded_cell.adjacency.numpy(), pruned)
        np.testing.assert_array_equal(loaded_cell.sensory_adjacency.numpy(), sensory)
        assert not np.array_equal(pruned, loaded_cell.wiring.adjacency_matrix)

    def test_weights_file_round_trip(self, x, tmp_path):
        make = lambda: rnn_model(BioSynLTCCell(wirings.Random(6, 2, seed=4)), 10, 4)  # noqa: E731
        model = make()
        path = tmp_path / "model.weights.h5"
        model.save_weights(path)
        other = make()
        other.load_weights(path)
        np.testing.assert_array_equal(model.predict(x, verbose=0), other.predict(x, verbose=0))

    def test_mixed_precision_model_round_trip(self, x, tmp_path):
        keras.config.set_dtype_policy("mixed_float16")
        model = rnn_model(BioSynLTCCell(5, output_size=2), 10, 4)
        loaded = self.run_model_saving_test(model, x, tmp_path)
        assert loaded.layers[-1].cell.dtype_policy.name == "mixed_float16"

    def test_everything_is_registered_under_the_package_name(self):
        for obj in [
            BioSynLTCCell(3),
            CTRNNCell(3),
            wirings.FullyConnected(3),
            wirings.Random(3),
            wirings.NCP(2, 2, 1, 1, 1, 1, 1),
            wirings.AutoNCP(5, 1),
        ]:
            name = keras.saving.get_registered_name(type(obj))
            assert name == f"keras_biosyn>{type(obj).__name__}"
