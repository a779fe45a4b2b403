import keras
import numpy as np
import pytest
from keras import ops

from keras_biosyn import BioSynLTCCell, sequence_coefficients, wirings
from keras_biosyn.ops import COEFFICIENTS


def two_layer_model():
    inputs = keras.Input((None, 3))
    hidden = keras.layers.Dense(4, name="encoder")(inputs)
    hidden = keras.layers.RNN(
        BioSynLTCCell(wirings.AutoNCP(10, 3, seed=1)), return_sequences=True, name="first"
    )(hidden)
    hidden = keras.layers.RNN(BioSynLTCCell(5, output_size=2), name="second")(hidden)
    return keras.Model(inputs, keras.layers.Dense(1)(hidden))


def reference_loop(cell, sequences):
    """Coefficients by calling the cell step by step in Python."""
    v = np.zeros((len(sequences), cell.units), "float32")
    steps = []
    for t in range(sequences.shape[1]):
        system = cell.linear_system(sequences[:, t], [v])
        steps.append({k: ops.convert_to_numpy(x) for k, x in system.items()})
        _, states = cell(sequences[:, t], [v])
        v = ops.convert_to_numpy(states[0])
    return {k: np.stack([s[k] for s in steps], axis=1) for k in steps[0]}


def test_matches_a_step_by_step_loop_through_upstream_layers(rng):
    model = two_layer_model()
    x = rng.normal(size=(3, 17, 3)).astype("float32")
    model(x)
    first_inputs = np.asarray(model.get_layer("encoder")(x))
    expected = reference_loop(model.get_layer("first").cell, first_inputs)
    got = sequence_coefficients(model, x, layer="first", batch_size=2, time_chunk=5)
    assert set(got) == set(COEFFICIENTS)
    for name in COEFFICIENTS:
        assert got[name].shape == expected[name].shape, name
        np.testing.assert_allclose(got[name], expected[name], rtol=1e-5, atol=1e-6, err_msg=name)


def test_second_layer_sees_the_first_layers_outputs(rng):
    model = two_layer_model()
    x = rng.normal(size=(2, 9, 3)).astype("float32")
    model(x)
    upstream = keras.Model(model.inputs[0], model.get_layer("first").output)
    expected = reference_loop(model.get_layer("second").cell, np.asarray(upstream(x)))
    got = sequence_coefficients(model, x, layer="second", coefficients=["tau", "conductance"])
    assert set(got) == {"tau", "conductance"}
    np.testing.assert_allclose(got["tau"], expected["tau"], rtol=1e-5)


def test_chunking_does_not_change_the_result(rng):
    model = keras.Sequential(
        [keras.Input((40, 2)), keras.layers.RNN(BioSynLTCCell(6), name="ltc")]
    )
    x = rng.normal(size=(5, 40, 2)).astype("float32")
    whole = sequence_coefficients(model, x, batch_size=5, time_chunk=40)
    chunked = sequence_coefficients(model, x, batch_size=2, time_chunk=7)
    for name in whole:
        np.testing.assert_allclose(chunked[name], whole[name], rtol=1e-6, atol=1e-7)
    bare = sequence_coefficients(model.get_layer("ltc"), x, coefficients="A")
    np.testing.assert_allclose(bare["A"], whole["A"], rtol=1e-6)


def test_bad_arguments(rng):
    model = two_layer_model()
    x = rng.normal(size=(2, 5, 3)).astype("float32")
    model(x)
    with pytest.raises(ValueError, match=r"several BioSynLTC layers \['first', 'second'\]"):
        sequence_coefficients(model, x)
    with pytest.raises(ValueError, match=r"one of the BioSynLTC layers.*layer='third'"):
        sequence_coefficients(model, x, layer="third")
    with pytest.raises(ValueError, match=r"coefficient names.*'gain'"):
        sequence_coefficients(model, x, layer="first", coefficients=["gain"])
    lstm = keras.Sequential([keras.Input((5, 3)), keras.layers.LSTM(4)])
    with pytest.raises(ValueError, match=r"at least one keras\.layers\.RNN"):
        sequence_coefficients(lstm, x)
    single = keras.Sequential([keras.Input((5, 3)), keras.layers.RNN(BioSynLTCCell(4))])
    with pytest.raises(ValueError, match=r"\(batch, time, 3\)"):
        sequence_coefficients(single, x[..., :2])
