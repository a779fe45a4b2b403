import keras
import numpy as np
import pytest

from keras_biosyn import CTRNNCell, wirings
from tests.test_case import TestCase
from tests.testing import rnn_model


def reference_step(p, u, v, unfolds, solver):
    """float64 NumPy CT-RNN step, from `tau dv/dt = -v + W tanh(v) + U x + bias`."""
    x = u * p["input_w"] + p["input_b"]
    w = p["w"] * np.abs(p["adjacency"])
    held = x @ (p["sensory_w"] * np.abs(p["sensory_adjacency"])) + p["bias"]
    h = 1.0 / unfolds

    def f(state):
        return (-state + np.tanh(state) @ w + held) / p["tau"]

    for _ in range(unfolds):
        if solver == "semi_implicit":
            v = (p["tau"] * v + h * (np.tanh(v) @ w + held)) / (p["tau"] + h)
        else:
            v = v + h * f(v)
    return v[:, : p["output_w"].shape[0]] * p["output_w"] + p["output_b"], v


@pytest.mark.parametrize("solver", ["semi_implicit", "explicit_euler"])
def test_one_step_matches_float64_reference(rng, solver):
    cell = CTRNNCell(
        wirings.Random(7, output_size=3, sparsity=0.5, seed=2),
        solver=solver,
        dtype="float64",
        epsilon=0.0,
    )
    cell.build((None, 4))
    for variable in cell.trainable_weights:
        variable.assign(rng.uniform(0.3, 1.2, size=variable.shape))
    p = {v.name: v.numpy() for v in cell.weights}
    u, v = rng.normal(size=(5, 4)), rng.uniform(-1, 1, size=(5, 7))
    output, states = cell(u, [v])
    ref_output, ref_state = reference_step(p, u, v, cell.ode_unfolds, solver)
    np.testing.assert_allclose(np.asarray(states[0]), ref_state, rtol=1e-10)
    np.testing.assert_allclose(np.asarray(output), ref_output, rtol=1e-10)


def test_plain_synapses_have_one_parameter_each():
    cell = CTRNNCell(wirings.AutoNCP(12, 2, seed=0))
    cell.build((None, 3))
    names = {v.name: tuple(v.shape) for v in cell.trainable_weights}
    assert names == {
        "tau": (12,),
        "bias": (12,),
        "w": (12, 12),
        "sensory_w": (3, 12),
        "input_w": (3,),
        "input_b": (3,),
        "output_w": (2,),
        "output_b": (2,),
    }


def test_time_input_and_bad_arguments(rng):
    cell = CTRNNCell(5, time_input=True)
    model = rnn_model(cell, 6, 3)
    x = rng.normal(size=(2, 6, 3)).astype("float32")
    x[..., -1] = np.nan  # invalid elapsed times hold the state
    np.testing.assert_allclose(model.predict(x, verbose=0), cell.map_outputs(np.zeros((2, 5))))
    with pytest.raises(ValueError, match="ode_unfolds"):
        CTRNNCell(4, ode_unfolds=0)


class TestCTRNNCell(TestCase):
    def test_layer(self, rng):
        self.run_layer_test(
            CTRNNCell,
            init_kwargs={"units": wirings.AutoNCP(6, output_size=2, seed=1), "ode_unfolds": 2},
            input_data=rng.normal(size=(4, 5, 3)).astype("float32"),
            expected_output_shape=(4, 2),
            expected_num_trainable_weights=8,
            expected_num_non_trainable_weights=2,
        )

    def test_json_serialization(self, wiring):
        cell = self.run_serialization_test(CTRNNCell(wiring, solver="explicit_euler"))
        assert cell.wiring.get_config() == wiring.get_config()

    def test_trains_saves_and_loads(self, rng, tmp_path):
        x = rng.normal(size=(128, 12, 3)).astype("float32")
        y = np.tanh(x[:, -3:, 0].mean(1, keepdims=True)).astype("float32")
        cell = CTRNNCell(8, output_size=2, time_input=False)
        model = keras.Sequential(
            [keras.Input((12, 3)), keras.layers.RNN(cell), keras.layers.Dense(1)]
        )
        model.compile(keras.optimizers.Adam(0.02), "mse")
        initial = model.evaluate(x, y, verbose=0)
        model.fit(x, y, epochs=10, batch_size=32, verbose=0)
        assert model.evaluate(x, y, verbose=0) < 0.6 * initial
        assert cell.tau.numpy().min() >= 1e-3
        self.run_model_saving_test(model, x[:4], tmp_path)
        self.run_serialization_test(cell)

    def test_streaming_export(self, rng, tmp_path):
        cell = CTRNNCell(wirings.AutoNCP(8, output_size=2, seed=2), ode_unfolds=2)
        model = keras.Sequential([keras.Input((None, 3)), keras.layers.RNN(cell)])
        self.run_export_test(model, rng.normal(size=(2, 6, 3)).astype("float32"), tmp_path)
