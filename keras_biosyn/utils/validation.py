"""Argument checks that raise errors saying what was expected and what was received."""

from __future__ import annotations

import numbers

import numpy as np


def check_int(name: str, value, minimum: int | None = None, maximum: int | None = None):
    """Returns `value` as an `int`, or raises `TypeError`/`ValueError`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"Expected `{name}` to be an integer. "
            f"Received: {name}={value!r} of type {type(value).__name__}"
        )
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(
            f"Expected `{name}` to be an integer >= {minimum}. Received: {name}={value}"
        )
    if maximum is not None and value > maximum:
        raise ValueError(
            f"Expected `{name}` to be an integer <= {maximum}. Received: {name}={value}"
        )
    return value


def check_float(
    name: str,
    value,
    minimum: float | None = None,
    maximum: float | None = None,
    *,
    min_inclusive: bool = True,
    max_inclusive: bool = True,
):
    """Returns `value` as a finite `float` within the given bounds."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"Expected `{name}` to be a number. "
            f"Received: {name}={value!r} of type {type(value).__name__}"
        )
    value = float(value)
    low_ok = minimum is None or (value >= minimum if min_inclusive else value > minimum)
    high_ok = maximum is None or (value <= maximum if max_inclusive else value < maximum)
    if value != value or not (low_ok and high_ok):
        low = "" if minimum is None else ("[" if min_inclusive else "(") + f"{minimum}"
        high = "" if maximum is None else f"{maximum}" + ("]" if max_inclusive else ")")
        raise ValueError(
            f"Expected `{name}` in {low or '(-inf'}, {high or 'inf)'}. Received: {name}={value}"
        )
    return value


def check_choice(name: str, value, choices):
    """Returns `value` if it is one of `choices`, else raises `ValueError`."""
    if value not in choices:
        raise ValueError(
            f"Expected `{name}` to be one of {list(choices)}. Received: {name}={value!r}"
        )
    return value


def model_input_shape(model) -> tuple | None:
    """The per-sample input shape of a model with one input, e.g. `(None, 12)`.

    `None` for an object without `inputs` (a bare layer: its own call checks).
    """
    inputs = getattr(model, "inputs", None)
    if not inputs:
        return None
    first = inputs[0] if isinstance(inputs, (list, tuple)) else inputs
    return tuple(first.shape[1:])


def check_sequences(data, expected: tuple | None, name: str = "inputs", finite: bool = True):
    """`data` as a float32 NumPy array of model inputs `(N, *expected)`, or a one-line error.

    The one check of "do these inputs fit the model?" that every entry point
    makes (export calibration, pruning, `describe`, the command line).

    Args:
        data: Array-like model inputs.
        expected: The per-sample shape, e.g. `(None, 12)` for sequences of any
            length with 12 features (`model_input_shape(model)`); `None` for
            any `(batch, time, features)`.
        name: How the error names `data` (an argument or a flag).
        finite: Also refuse NaN and infinite values.

    Returns:
        The inputs as a float32 array.

    Raises:
        TypeError: `data` is not real numbers.
        ValueError: `data` does not fit `expected`, is empty or is not finite.

    Example:

    ```python
    x = check_sequences(x, model_input_shape(model), "representative_data")
    ```
    """
    try:
        array = np.asarray(data)
    except (TypeError, ValueError):
        array = np.asarray(None)
    if not np.issubdtype(array.dtype, np.number) or np.issubdtype(array.dtype, np.complexfloating):
        raise TypeError(
            f"Expected `{name}` to be real model inputs, a numeric array (N, time, features). "
            f"Received: {name} of type {type(data).__name__} with dtype {array.dtype}"
        )
    expected = tuple(expected) if expected is not None else (None, None)
    fits = array.ndim == len(expected) + 1 and all(
        e is None or e == d for e, d in zip(expected, array.shape[1:], strict=True)
    )
    if not fits or 0 in array.shape:
        shape = ", ".join(
            "T" if e is None and i == 0 else "F" if e is None else str(e)
            for i, e in enumerate(expected)
        )
        raise ValueError(
            f"Expected `{name}` of shape (N, {shape}), none of them 0. "
            f"Received: {name} of shape {array.shape}"
        )
    if finite and not np.all(np.isfinite(array)):
        raise ValueError(f"Expected finite `{name}`. Received: NaN or infinite values")
    return array.astype(np.float32, copy=False)
