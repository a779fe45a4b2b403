"""The elapsed-time rule of irregularly sampled sequences.

A cell with `time_input=True` reads each step's elapsed time `dt` as its last
input feature and takes `ode_unfolds` solver sub-steps of `dt / ode_unfolds`.
A step whose `dt` is not finite or not positive (a gap marker, padding, a
clock glitch) is a step of size zero: it leaves the state unchanged.
"""

from __future__ import annotations

from keras import ops


def substep_size(elapsed, unfolds: int):
    """Solver sub-step `dt / unfolds`, zero wherever `dt` is not finite or not positive.

    Args:
        elapsed: Elapsed time of each step, shape `(batch, 1)`.
        unfolds: Solver sub-steps per input step, a positive Python int.

    Returns:
        A tensor of the shape of `elapsed`.

    Example:

    ```python
    substep_size(keras.ops.convert_to_tensor([[0.5], [-1.0]]), 2)   # [[0.25], [0.0]]
    ```
    """
    valid = ops.logical_and(ops.isfinite(elapsed), ops.greater(elapsed, 0))
    return ops.where(valid, elapsed, ops.zeros_like(elapsed)) / float(unfolds)
