"""Unwrapping the lists in which Keras hands over tensors."""

from __future__ import annotations

__all__ = ["first_tensor"]


def first_tensor(tensors):
    """The first of a list or tuple of tensors, or `tensors` itself when it is one tensor.

    Keras lists a functional model's inputs (`model.inputs`), may list a
    layer's input (`layer.input`) and passes an RNN cell its states as a list;
    a model of one input or a cell of one state wants the tensor.

    Example:

    ```python
    inputs = keras.Input((20, 3))
    model = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    first_tensor(model.inputs) is inputs                        # True
    ```
    """
    return tensors[0] if isinstance(tensors, (list, tuple)) else tensors
