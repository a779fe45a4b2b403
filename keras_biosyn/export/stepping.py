"""Stepping a streaming model through sequences with its states fed back."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

StepFunction = Callable[[np.ndarray, list], tuple]


def step_through(
    step_fn: StepFunction,
    sequences,
    state_sizes: Sequence[int],
    on_step: Callable[[np.ndarray, list], None] | None = None,
) -> np.ndarray:
    """Steps a streaming model through a batch of sequences, its states fed back.

    The states start at zeros; at each step `step_fn` gets the step's inputs
    and the states it returned at the step before. The step function may run
    the model anywhere (Keras, LiteRT, TFLite Micro); this loop is the same.

    Args:
        step_fn: A callable `(x_t, states) -> (y_t, new_states)`: `x_t` is
            `(batch, features)`, `states` a list of `(batch, size)` float32
            arrays, one per entry of `state_sizes`, and `new_states` a list
            in the same order.
        sequences: Sequences `(batch, time, features)`.
        state_sizes: The size of each state (the units of each recurrent layer).
        on_step: Optional callable `(x_t, states)` called with each step's
            inputs before the step (e.g. to collect calibration samples).

    Returns:
        The step outputs as an array `(batch, time, outputs)`.

    Example:

    ```python
    step = streaming_model(model, batch_size=None)
    outputs = step_through(keras_step_function(step), x, [16])   # (batch, time, outputs)
    ```
    """
    sequences = np.asarray(sequences, np.float32)
    states = [np.zeros((len(sequences), size), np.float32) for size in state_sizes]
    outputs = []
    for t in range(sequences.shape[1]):
        x_t = sequences[:, t]
        if on_step is not None:
            on_step(x_t, states)
        y_t, states = step_fn(x_t, states)
        outputs.append(np.asarray(y_t))
        states = [np.asarray(state) for state in states]
    return np.stack(outputs, axis=1)


def keras_step_function(step) -> StepFunction:
    """The step function of a Keras streaming model, for `step_through`.

    Args:
        step: A model from `streaming_model`: inputs `[x_t, state_0, ...]`,
            outputs `{"y_t": ..., "new_state_0": ..., ...}`.

    Returns:
        A callable `(x_t, states) -> (y_t, new_states)` that runs one
        `step.predict_on_batch`.

    Example:

    ```python
    step_fn = keras_step_function(streaming_model(model, batch_size=None))
    y_t, states = step_fn(x[:, 0], [np.zeros((len(x), 16), "float32")])
    ```
    """

    def step_fn(x_t, states):
        result = step.predict_on_batch([x_t, *states])
        return result["y_t"], [result[f"new_state_{k}"] for k in range(len(states))]

    return step_fn


def state_sizes(step) -> list[int]:
    """The size of each state input of a Keras streaming model (`state_0`, ...).

    Args:
        step: A model from `streaming_model`.

    Returns:
        A list of ints, one per recurrent layer, in input order.
    """
    return [tensor.shape[-1] for tensor in step.inputs[1:]]
