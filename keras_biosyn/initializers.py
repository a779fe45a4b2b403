"""Initializers for biophysical parameters that span orders of magnitude."""

from __future__ import annotations

import math

import keras
from keras import ops

from keras_biosyn.utils.validation import check_float

__all__ = ["LogUniform"]


@keras.saving.register_keras_serializable(package="keras_biosyn")
class LogUniform(keras.initializers.Initializer):
    """Draws values whose logarithm is uniform in `[log(minval), log(maxval)]`.

    Every order of magnitude between the bounds gets the same share of
    values, which suits scales such as capacitances (and so time constants):
    a circuit starts with neurons that forget within a step and neurons that
    remember for many.

    Args:
        minval: Smallest value, > 0.
        maxval: Largest value, >= `minval`.
        seed: An int or a `keras.random.SeedGenerator`, as for Keras' random
            initializers.

    Example:

    >>> values = LogUniform(0.5, 8.0, seed=0)(shape=(1000,))
    >>> bool(keras.ops.all(values >= 0.5)) and bool(keras.ops.all(values <= 8.0))
    True
    """

    def __init__(self, minval: float = 0.5, maxval: float = 8.0, seed=None):
        self.minval = check_float("minval", minval, minimum=0.0, min_inclusive=False)
        self.maxval = check_float("maxval", maxval, minimum=self.minval)
        self.seed = seed
        self._uniform = keras.initializers.RandomUniform(
            math.log(self.minval), math.log(self.maxval), seed=seed
        )

    def __call__(self, shape, dtype=None):
        values = ops.exp(self._uniform(shape, dtype=dtype))
        # exp(log(x)) may round a hair outside the bounds
        return ops.clip(values, self.minval, self.maxval)

    def get_config(self) -> dict:
        return {
            "minval": self.minval,
            "maxval": self.maxval,
            "seed": self._uniform.get_config()["seed"],
        }
