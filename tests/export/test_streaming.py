"""Deriving the single-step and fixed-length models from trained ones."""

import keras
import numpy as np
import pytest

from keras_biosyn import BioSynLTCCell, CTRNNCell, wirings
from keras_biosyn.export import (
    dense_copy,
    dense_model_copy,
    fixed_length_model,
    keras_step_function,
    step_through,
    streaming_model,
)
from keras_biosyn.export.dense_copy import assign_weights_by_name
from keras_biosyn.export.stepping import state_sizes


def stacked_model(steps=None, features=3):
    inputs = keras.Input((steps, features))
    hidden = keras.layers.Masking(0.0)(inputs)
    hidden = keras.layers.TimeDistributed(keras.layers.Dense(5, activation="tanh"))(hidden)
    hidden = keras.layers.RNN(
        BioSynLTCCell(wirings.AutoNCP(10, 4, seed=1)), return_sequences=True
    )(hidden)
    hidden = keras.layers.LayerNormalization()(hidden)
    hidden = keras.layers.Dropout(0.3)(hidden)
    hidden = keras.layers.RNN(BioSynLTCCell(6, output_size=3))(hidden)
    outputs = keras.layers.Dense(2)(hidden)
    return keras.Model(inputs, outputs)


def stepped(step, sequences):
    """`step`'s outputs `(batch, time, outputs)`, stepped through `sequences`."""
    return step_through(keras_step_function(step), sequences, state_sizes(step))


@pytest.mark.parametrize("layout", ["dense", "model"])
def test_stepping_reproduces_the_fixed_length_model(rng, layout):
    model = stacked_model()
    x = rng.normal(size=(3, 15, 3)).astype("float32")
    expected = model.predict(x, verbose=0)
    step = streaming_model(model, batch_size=None, export_layout=layout)
    assert [t.name for t in step.inputs] == ["x_t", "state_0", "state_1"]
    outputs = stepped(step, x)
    first = step([x[:, 0], np.zeros((3, 10), "float32"), np.zeros((3, 6), "float32")])
    assert set(first) == {"y_t", "new_state_0", "new_state_1"}
    np.testing.assert_allclose(outputs[:, -1], expected, atol=2e-5)
    # intermediate outputs equal the model run on prefixes (called directly: Keras 3.15's
    # predict() of a TimeDistributed model retraced for another length returns wrong values)
    np.testing.assert_allclose(outputs[:, 6], np.asarray(model(x[:, :7])), atol=2e-5)


def test_sequential_and_bare_layer_and_fixed_batch(rng):
    sequential = keras.Sequential(
        [keras.Input((None, 2)), keras.layers.RNN(BioSynLTCCell(5)), keras.layers.Softmax()]
    )
    x = rng.normal(size=(2, 9, 2)).astype("float32")
    step = streaming_model(sequential, batch_size=None)
    np.testing.assert_allclose(
        stepped(step, x)[:, -1], sequential.predict(x, verbose=0), atol=1e-5
    )
    assert streaming_model(sequential).inputs[0].shape == (1, 2)


def test_fixed_length_model_with_dense_clone_matches(rng):
    model = stacked_model(steps=12)
    x = rng.normal(size=(1, 12, 3)).astype("float32")
    fixed = fixed_length_model(model, 12)
    assert fixed.inputs[0].shape == (1, 12, 3)
    np.testing.assert_allclose(fixed.predict(x, verbose=0), model.predict(x, verbose=0), atol=2e-5)


@pytest.mark.parametrize(
    "layers, match",
    [
        (
            [keras.layers.RNN(keras.layers.StackedRNNCells([keras.layers.LSTMCell(4)]))],
            r"only recurrent layers of a WiredCell \(BioSynLTCCell, CTRNNCell\) or a Keras "
            "LSTMCell",
        ),
        ([keras.layers.RNN(BioSynLTCCell(4), go_backwards=True)], "backwards"),
        (
            [
                keras.layers.RNN(BioSynLTCCell(4), return_sequences=True),
                keras.layers.GlobalAveragePooling1D(),
            ],
            "GlobalAveragePooling1D.*not known to act on each time step",
        ),
        ([keras.layers.Dense(3)], "at least one"),
    ],
)
def test_models_that_cannot_stream_are_refused_with_a_reason(layers, match):
    model = keras.Sequential([keras.Input((5, 3)), *layers])
    with pytest.raises(ValueError, match=match):
        streaming_model(model)


def test_branching_and_multi_input_models_are_refused():
    inputs = keras.Input((5, 3))
    a = keras.layers.RNN(BioSynLTCCell(4), return_sequences=True)(inputs)
    b = keras.layers.Dense(4)(inputs)
    branched = keras.Model(inputs, keras.layers.Add()([a, b]))
    with pytest.raises(ValueError, match="single chain"):
        streaming_model(branched)
    other = keras.Input((5, 3))
    two = keras.Model([inputs, other], keras.layers.RNN(BioSynLTCCell(4))(inputs))
    with pytest.raises(ValueError, match="one input and one output"):
        streaming_model(two)


@pytest.mark.parametrize(
    "units", [8, wirings.AutoNCP(10, 3, seed=1)], ids=["fully_connected", "auto_ncp"]
)
def test_ctrnn_models_stream_like_keras(rng, units):
    model = keras.Sequential(
        [
            keras.Input((None, 3)),
            keras.layers.RNN(CTRNNCell(units), return_sequences=True),
            keras.layers.RNN(CTRNNCell(5, output_size=2)),
            keras.layers.Dense(2),
        ]
    )
    x = rng.normal(size=(3, 14, 3)).astype("float32")
    step = streaming_model(model, batch_size=None)
    assert [t.name for t in step.inputs] == ["x_t", "state_0", "state_1"]
    np.testing.assert_allclose(stepped(step, x)[:, -1], model.predict(x, verbose=0), atol=2e-5)
    fixed = fixed_length_model(model, 14)
    np.testing.assert_allclose(
        fixed.predict(x[:1], verbose=0), model.predict(x[:1], verbose=0), atol=2e-5
    )


@pytest.mark.parametrize(
    "baseline, sizes",
    [
        (keras.layers.LSTM(4, return_sequences=True), [4, 4]),
        (keras.layers.GRU(4, return_sequences=True), [4]),
        (keras.layers.RNN(keras.layers.SimpleRNNCell(4), return_sequences=True), [4]),
    ],
    ids=["lstm", "gru", "simple_rnn"],
)
def test_keras_cells_stream_beside_wired_ones(rng, baseline, sizes):
    """Keras' own cells stream too (the baselines, exported the same way): one input per state."""
    model = keras.Sequential(
        [
            keras.Input((None, 3)),
            baseline,
            keras.layers.RNN(BioSynLTCCell(5, output_size=2), return_sequences=True),
            keras.layers.Dense(2),
        ]
    )
    x = rng.normal(size=(3, 11, 3)).astype("float32")
    step = streaming_model(model, batch_size=None)
    names = ["x_t", *[f"state_{k}" for k in range(len(sizes) + 1)]]
    assert [t.name for t in step.inputs] == names
    assert state_sizes(step) == [*sizes, 5]
    np.testing.assert_allclose(stepped(step, x), model.predict(x, verbose=0), atol=2e-5)


def test_step_through_feeds_the_states_back_and_shows_each_step(rng):
    x = rng.normal(size=(2, 5, 3)).astype("float32")
    seen = []

    def running_sum(x_t, states):
        total = states[0] + x_t.sum(-1, keepdims=True)
        return 2 * total, [total]

    outputs = step_through(
        running_sum, x, [1], on_step=lambda x_t, states: seen.append(states[0].copy())
    )
    expected = 2 * np.cumsum(x.sum(-1), axis=1)[..., None]
    assert outputs.shape == (2, 5, 1)
    np.testing.assert_allclose(outputs, expected, rtol=1e-6)
    np.testing.assert_array_equal(seen[0], np.zeros((2, 1), "float32"))
    np.testing.assert_allclose(np.concatenate(seen[1:], 1), expected[:, :-1, 0] / 2, rtol=1e-6)


def test_dense_copies_share_values_and_outputs(rng):
    sparse = keras.layers.RNN(
        BioSynLTCCell(wirings.AutoNCP(12, 2, seed=3), synapse_layout="sparse")
    )
    model = keras.Sequential([keras.Input((6, 3)), sparse])
    x = rng.normal(size=(2, 6, 3)).astype("float32")
    cell = dense_copy(sparse.cell)
    assert cell is not sparse.cell and cell.dense_config() is None
    assert {v.name for v in cell.weights} <= {v.name for v in sparse.cell.weights}
    state = np.zeros((2, 12), "float32")
    np.testing.assert_allclose(
        np.asarray(cell(x[:, 0], [state])[0]),
        np.asarray(sparse.cell(x[:, 0], [state])[0]),
        atol=1e-6,
    )
    dense = dense_model_copy(model)
    assert dense.layers[0].cell.dense_config() is None
    np.testing.assert_allclose(np.asarray(dense(x)), np.asarray(model(x)), atol=2e-5)
    ctrnn = CTRNNCell(4)
    ctrnn.build((None, 3))
    assert dense_copy(ctrnn) is ctrnn


def test_assign_weights_by_name_needs_every_name():
    source, target = keras.layers.Dense(2, use_bias=False), keras.layers.Dense(2)
    source.build((None, 3))
    target.build((None, 3))
    with pytest.raises(ValueError, match=r"Received: no source weight for \['bias'\]"):
        assign_weights_by_name(source, target)
    assign_weights_by_name(target, source)
    np.testing.assert_array_equal(source.kernel.numpy(), target.kernel.numpy())
