"""The one check of "do these inputs fit the model?"."""

import keras
import numpy as np
import pytest

from keras_biosyn.utils.validation import check_sequences, model_input_shape


def test_inputs_that_fit_come_back_as_float32():
    x = np.arange(24, dtype="float64").reshape(2, 3, 4)
    checked = check_sequences(x, (None, 4), "x")
    assert checked.dtype == np.float32 and checked.shape == (2, 3, 4)
    np.testing.assert_array_equal(checked, x)
    assert check_sequences(x.tolist(), (3, 4)).shape == (2, 3, 4)  # any array-like
    assert check_sequences(x, None).shape == (2, 3, 4)  # any (batch, time, features)


@pytest.mark.parametrize(
    "data, expected, message",
    [
        (np.zeros((2, 3, 5)), (None, 4), r"`x` of shape \(N, T, 4\).*Received: .* \(2, 3, 5\)"),
        (np.zeros((2, 4)), (None, 4), r"\(N, T, 4\).*\(2, 4\)"),
        (np.zeros((0, 3, 4)), (None, 4), r"none of them 0.*\(0, 3, 4\)"),
        (np.zeros((2, 7, 4)), (6, 4), r"\(N, 6, 4\).*\(2, 7, 4\)"),
        (np.full((1, 2, 4), np.nan), (None, 4), "Expected finite `x`"),
    ],
)
def test_inputs_that_do_not_fit_are_named_with_both_shapes(data, expected, message):
    with pytest.raises(ValueError, match=message):
        check_sequences(data, expected, "x")


def test_non_numeric_inputs_are_a_type_error():
    with pytest.raises(TypeError, match="`x` to be real model inputs"):
        check_sequences(np.array([["a"]]), None, "x")
    with pytest.raises(TypeError, match="complex"):
        check_sequences(np.zeros((1, 2, 3), complex), None, "x")


def test_nan_passes_when_finite_is_not_asked():
    assert np.isnan(check_sequences(np.full((1, 2, 4), np.nan), (None, 4), finite=False)).all()


def test_model_input_shape_reads_a_models_single_input():
    model = keras.Sequential([keras.Input((None, 3)), keras.layers.Dense(2)])
    assert model_input_shape(model) == (None, 3)
    assert model_input_shape(keras.layers.Dense(2)) is None
