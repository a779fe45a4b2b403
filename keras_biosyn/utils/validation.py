"""Argument checks that raise errors saying what was expected and what was received."""

from __future__ import annotations

import numbers


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
