"""BioSynLTCCell inside keras.layers.RNN: every feature of the RNN contract."""

import keras
import numpy as np
import pytest

from keras_biosyn import BioSynLTCCell
from tests import reference
from tests.testing import make_wiring, rnn_model

STEPS, FEATURES = 12, 3


def make_cell(**kwargs):
    kwargs.setdefault("units", make_wiring("auto_ncp", units=8, seed=3))
    return BioSynLTCCell(**kwargs)


def reference_run(cell, x, v0=None):
    return reference.run_sequence(
        reference.cell_weights(cell),
        x,
        v0=v0,
        **reference.cell_options(cell, epsilon=0.0),
    )


@pytest.fixture
def x(rng):
    return rng.normal(size=(4, STEPS, FEATURES)).astype("float32")


def test_return_sequences_and_last_output(x):
    cell = make_cell(epsilon=0.0)
    model = rnn_model(cell, STEPS, FEATURES, return_sequences=True)
    sequence = model.predict(x, verbose=0)
    expected, _ = reference_run(cell, x)
    assert sequence.shape == (4, STEPS, 2)
    np.testing.assert_allclose(sequence, expected, atol=2e-5)
    last = keras.layers.RNN(cell)(x)
    np.testing.assert_allclose(np.asarray(last), expected[:, -1], atol=2e-5)


def test_return_state_gives_the_membrane_potentials(x):
    cell = make_cell(epsilon=0.0)
    _, state = keras.layers.RNN(cell, return_state=True)(x)
    _, states = reference_run(cell, x)
    assert state.shape == (4, 8)
    np.testing.assert_allclose(np.asarray(state), states[:, -1], atol=2e-5)


def test_initial_state(x, rng):
    cell = make_cell(epsilon=0.0)
    layer = keras.layers.RNN(cell, return_sequences=True)
    v0 = rng.uniform(-1, 1, size=(4, 8)).astype("float32")
    got = layer(x, initial_state=[v0])
    expected, _ = reference_run(cell, x, v0=v0)
    np.testing.assert_allclose(np.asarray(got), expected, atol=2e-5)
    assert not np.allclose(np.asarray(got), np.asarray(layer(x)), atol=1e-3)


def test_stateful_continues_across_calls(x):
    cell = make_cell()
    whole = np.asarray(keras.layers.RNN(cell, return_sequences=True)(x))
    stateful = keras.layers.RNN(cell, return_sequences=True, stateful=True)
    first = np.asarray(stateful(x[:, :5]))
    second = np.asarray(stateful(x[:, 5:]))
    np.testing.assert_allclose(np.concatenate([first, second], axis=1), whole, atol=1e-5)
    stateful.reset_state()
    np.testing.assert_allclose(np.asarray(stateful(x[:, :5])), first, atol=1e-6)


def test_go_backwards_reads_the_reversed_sequence(x):
    cell = make_cell()
    backwards = keras.layers.RNN(cell, go_backwards=True)(x)
    forwards = keras.layers.RNN(cell)(x[:, ::-1])
    np.testing.assert_allclose(np.asarray(backwards), np.asarray(forwards), atol=1e-6)


def test_masked_steps_keep_the_state(x):
    cell = make_cell()
    lengths = np.array([12, 7, 3, 10])
    padded = x.copy()
    for i, n in enumerate(lengths):
        padded[i, n:] = 0.0
    inputs = keras.Input((STEPS, FEATURES))
    outputs = keras.layers.RNN(cell)(keras.layers.Masking(0.0)(inputs))
    model = keras.Model(inputs, outputs)
    got = model.predict(padded, verbose=0)
    layer = keras.layers.RNN(cell)
    for i, n in enumerate(lengths):
        np.testing.assert_allclose(got[i], np.asarray(layer(x[i : i + 1, :n]))[0], atol=1e-5)


def test_bidirectional(x):
    layer = keras.layers.Bidirectional(keras.layers.RNN(make_cell(), return_sequences=True))
    out = np.asarray(layer(x))
    assert out.shape == (4, STEPS, 4)
    assert layer.forward_layer.cell is not layer.backward_layer.cell
    forward = layer.forward_layer.cell
    backward = layer.backward_layer.cell
    np.testing.assert_array_equal(forward.adjacency.numpy(), backward.adjacency.numpy())


@pytest.mark.parametrize("jit_compile", [False, True])
def test_sequential_fit_evaluate_predict(x, rng, jit_compile):
    y = rng.normal(size=(4, 1)).astype("float32")
    model = keras.Sequential(
        [
            keras.Input((STEPS, FEATURES)),
            keras.layers.RNN(make_cell()),
            keras.layers.Dense(1),
        ]
    )
    model.compile("adam", "mse", jit_compile=jit_compile)
    history = model.fit(x, y, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert np.isfinite(model.evaluate(x, y, verbose=0))
    assert model.predict(x, verbose=0).shape == (4, 1)


def test_stacked_layers_and_time_input_in_a_functional_model(x, rng):
    dt = rng.uniform(0.1, 2.0, size=(4, STEPS, 1)).astype("float32")
    inputs = keras.Input((STEPS, FEATURES + 1))
    hidden = keras.layers.RNN(make_cell(time_input=True), return_sequences=True)(inputs)
    hidden = keras.layers.Concatenate()([hidden, inputs[..., -1:]])
    outputs = keras.layers.RNN(make_cell(units=5, time_input=True))(hidden)
    model = keras.Model(inputs, outputs)
    model.compile("adam", "mse")
    model.fit(np.concatenate([x, dt], -1), rng.normal(size=(4, 5)), epochs=1, verbose=0)
    assert model.predict(np.concatenate([x, dt], -1), verbose=0).shape == (4, 5)
