"""What every figure shares: matplotlib's `Figure` class, the PNG path, saving, index lists."""

from __future__ import annotations

import numbers
import os
from pathlib import Path
from typing import TYPE_CHECKING

from keras_biosyn.utils.files import check_optional_destination, write_atomically

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Neurons drawn when `neurons=None`.
DEFAULT_NEURONS = 8


def figure_class() -> type[Figure]:
    """`matplotlib.figure.Figure`, or an ImportError that says how to install it."""
    try:
        # The package first: a stale `matplotlib.figure` entry must not hide its absence.
        import matplotlib
        from matplotlib.figure import Figure
    except ImportError as error:
        raise ImportError(
            "keras_biosyn's plots need matplotlib. Install it with "
            '`pip install "keras-biosyn[plots]"` (or `pip install matplotlib`).'
        ) from error
    del matplotlib
    return Figure


def check_figure_path(path: str | os.PathLike | None) -> Path | None:
    """`None`, or `path` checked to be a `.png` file in an existing directory.

    Checked before anything is drawn; an existing file is replaced.
    """
    return check_optional_destination(path, ".png")


def save_figure(figure: Figure, path: Path | None) -> Figure:
    """Saves `figure` as a PNG at `path` (atomically) when `path` is set; returns it."""
    if path is not None:
        write_atomically(path, lambda file: figure.savefig(file, format="png"))
    return figure


def check_indices(name: str, values, size: int, negative: bool = False) -> list[int]:
    """A non-empty list of ints in `[0, size)` (or `[-size, size)` with `negative`).

    `None` gives the first (up to) `DEFAULT_NEURONS` indices; an int gives a
    list of one.
    """
    if values is None:
        return list(range(min(size, DEFAULT_NEURONS)))
    if isinstance(values, numbers.Integral):
        values = [values]
    try:
        values = list(values)
    except TypeError:
        raise TypeError(
            f"Expected `{name}` to be an int, a sequence of ints or None. "
            f"Received: {name}={values!r} of type {type(values).__name__}"
        ) from None
    low = -size if negative else 0
    valid = all(
        isinstance(v, numbers.Integral) and not isinstance(v, bool) and low <= v < size
        for v in values
    )
    if not values or not valid:
        raise ValueError(
            f"Expected `{name}` to be a non-empty list of integers in [{low}, {size}). "
            f"Received: {name}={values!r}"
        )
    return [int(v) for v in values]
