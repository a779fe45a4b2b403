"""Deriving the single-step and fixed-length models from trained ones."""

import keras
import numpy as np
import pytest

from keras_biosyn import BioSynLTCCell, wirings
from keras_biosyn.export import sequence_model, streaming_model


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


def step_through(step, sequences):
    states = [np.zeros((len(sequences), t.shape[-1]), "float32") for t in step.inputs[1:]]
    outputs = []
    for t in range(sequences.shape[1]):
        result = step([sequences[:, t], *states])
        outputs.append(np.asarray(result["y_t"]))
        states = [np.asarray(result[f"new_state_{k}"]) for k in range(len(states))]
    return np.stack(outputs, axis=1)


@pytest.mark.parametrize("layout", ["dense", "model"])
def test_stepping_reproduces_the_sequence_model(rng, layout):
    model = stacked_model()
    x = rng.normal(size=(3, 15, 3)).astype("float32")
    expected = model.predict(x, verbose=0)
    step = streaming_model(model, batch_size=None, synapse_layout=layout)
    assert [t.name for t in step.inputs] == ["x_t", "state_0", "state_1"]
    outputs = step_through(step, x)
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
        step_through(step, x)[:, -1], sequential.predict(x, verbose=0), atol=1e-5
    )
    assert streaming_model(sequential).inputs[0].shape == (1, 2)


def test_sequence_model_with_dense_clone_matches(rng):
    model = stacked_model(steps=12)
    x = rng.normal(size=(1, 12, 3)).astype("float32")
    fixed = sequence_model(model, 12)
    assert fixed.inputs[0].shape == (1, 12, 3)
    np.testing.assert_allclose(fixed.predict(x, verbose=0), model.predict(x, verbose=0), atol=2e-5)


@pytest.mark.parametrize(
    "layers, match",
    [
        ([keras.layers.LSTM(4)], "only BioSynLTCCell recurrent layers"),
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
