"""The data pruning reads: model inputs, and labels when a score is needed."""

from __future__ import annotations

import numpy as np

from keras_biosyn.utils.validation import check_sequences, model_input_shape

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
    inputs = check_sequences(inputs, model_input_shape(model), "data")
    if labels is not None and len(labels) != len(inputs):
        raise ValueError(
            "Expected as many labels as input sequences. "
            f"Received: {len(inputs)} sequences and {len(labels)} labels"
        )
    return inputs, labels
