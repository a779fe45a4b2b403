"""`LogUniform`: bounds, an even spread over orders of magnitude, seeds and serialization."""

import keras
import numpy as np
import pytest

from keras_biosyn.initializers import LogUniform


def test_values_are_within_bounds_and_log_uniform():
    values = keras.ops.convert_to_numpy(LogUniform(0.5, 8.0, seed=1)(shape=(20000,)))
    assert values.min() >= 0.5 and values.max() <= 8.0
    # log2(8 / 0.5) = 4 octaves: a quarter of the values in each
    counts = np.histogram(np.log2(values / 0.5), bins=4, range=(0, 4))[0]
    np.testing.assert_allclose(counts / len(values), 0.25, atol=0.015)
    assert np.median(values) == pytest.approx(2.0, rel=0.05)  # the geometric midpoint


def test_seeded_draws_repeat_and_the_config_round_trips():
    initializer = LogUniform(0.1, 10.0, seed=3)
    first = keras.ops.convert_to_numpy(initializer(shape=(50,)))
    rebuilt = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(initializer)
    )
    assert isinstance(rebuilt, LogUniform) and rebuilt.get_config() == initializer.get_config()
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(rebuilt(shape=(50,))), first)


@pytest.mark.parametrize(
    "minval, maxval, match",
    [
        (0.0, 1.0, "minval"),
        (-1.0, 1.0, "minval"),
        (2.0, 1.0, "maxval"),
        (1.0, float("nan"), "maxval"),
    ],
)
def test_bad_bounds_are_refused(minval, maxval, match):
    with pytest.raises(ValueError, match=match):
        LogUniform(minval, maxval)
