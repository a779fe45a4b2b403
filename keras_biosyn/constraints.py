"""Constraints that keep biophysical parameters in their valid range."""

from __future__ import annotations

import keras
from keras import ops

from keras_biosyn.utils.validation import check_float


@keras.saving.register_keras_serializable(package="keras_biosyn")
class MinValue(keras.constraints.Constraint):
    """Clips a weight from below after each optimizer update: `w <- max(w, min_value)`.

    `BioSynLTCCell` uses it to keep capacitances and leak conductances positive
    (`min_value > 0`) and synaptic conductances non-negative (`min_value = 0`),
    so the stored weight is the physical parameter itself.

    Args:
        min_value: The smallest allowed value.

    Example:

    >>> constraint = MinValue(1e-3)
    >>> keras.ops.convert_to_numpy(constraint(keras.ops.array([-1.0, 0.5])))
    array([0.001, 0.5  ], dtype=float32)
    """

    def __init__(self, min_value: float = 0.0):
        self.min_value = check_float("min_value", min_value)

    def __call__(self, w):
        w = ops.convert_to_tensor(w)
        return ops.maximum(w, ops.cast(self.min_value, w.dtype))

    def get_config(self) -> dict:
        return {"min_value": self.min_value}
