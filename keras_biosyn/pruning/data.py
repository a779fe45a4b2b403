"""The data pruning reads: model inputs, and labels when a score is needed."""

from __future__ import annotations

import numpy as np

from keras_biosyn.utils.tensors import first_tensor

__all__ = ["split_data"]


def split_data(data, model) -> tuple[np.ndarray, object]:
    """`data` as `(inputs, labels)`, the inputs checked against the model's input shape.

    Args:
        data: The model's inputs `(batch, time, features)`, or a tuple
            `(inputs,)` or `(inputs, labels)`.
        model: The Keras model the inputs are for.

    Returns:
        A tuple `(inputs, labels)`: `inputs` a NumPy array, `labels` as given
        or `None`.

    Example:

    ```python
    x, y = split_data((x_test, y_test), model)
    x, y = split_data(x_test, model)              # y is None
    ```
    """
    labels = None
    if isinstance(data, (tuple, list)):
        if len(data) not in (1, 2):
            raise ValueError(
                "Expected `data` to be model inputs or a tuple (inputs, labels). "
                f"Received: a {type(data).__name__} of {len(data)} items"
            )
        inputs, labels = data[0], (data[1] if len(data) == 2 else None)
    else:
        inputs = data
    try:
        inputs = np.asarray(inputs)
    except (TypeError, ValueError):
        inputs = None
    if inputs is None or not np.issubdtype(inputs.dtype, np.number):
        raise TypeError(
            "Expected `data` to hold numeric model inputs (batch, time, features). "
            f"Received: data of type {type(data).__name__}"
        )
    expected = tuple(first_tensor(model.inputs).shape[1:])
    fits = inputs.ndim == len(expected) + 1 and all(
        e is None or e == d for e, d in zip(expected, inputs.shape[1:], strict=True)
    )
    if not fits or len(inputs) == 0:
        shape = ", ".join("T" if e is None else str(e) for e in expected)
        raise ValueError(
            f"Expected model inputs of shape (N, {shape}) with N >= 1. "
            f"Received: inputs of shape {inputs.shape}"
        )
    if labels is not None and len(labels) != len(inputs):
        raise ValueError(
            "Expected as many labels as input sequences. "
            f"Received: {len(inputs)} sequences and {len(labels)} labels"
        )
    return inputs, labels
