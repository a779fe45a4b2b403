"""Figures of the coefficients along a sequence: `tau` and `b` over time, conductance matrices."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from keras_biosyn.interpretability.plots.figures import (
    check_figure_path,
    check_indices,
    figure_class,
    save_figure,
)
from keras_biosyn.utils.validation import check_int

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def plot_coefficients_over_time(
    coefficients: Mapping,
    neurons=None,
    sample: int = 0,
    path: str | os.PathLike | None = None,
) -> Figure:
    """Plots the time constant `tau` and the drive `b` of neurons along one sequence.

    Two stacked panels share the x axis (the input step): the liquid time
    constant `tau = -1 / A` on top and `b` of `dv/dt = A v + b` below, one
    line per chosen neuron, for one sequence of a batch.

    Args:
        coefficients: The dict returned by
            `keras_biosyn.interpretability.sequence_coefficients`, holding
            `"tau"` and `"b"` of shape `(batch, time, units)`.
        neurons: Neuron indices to draw: an int, a sequence of ints, or
            `None` for the first (up to) 8 neurons.
        sample: Index of the sequence in the batch.
        path: If given, the figure is saved there as a PNG (the name must end
            in `.png` and its directory must exist); the file is written to a
            temporary file in the same directory, then renamed.

    Returns:
        A `matplotlib.figure.Figure` with two axes.

    Example:

    ```python
    coefficients = sequence_coefficients(model, x[:4])    # tau, b: (4, time, units)
    figure = plot_coefficients_over_time(coefficients, neurons=[0, 1], path="tau.png")
    ```
    """
    Figure = figure_class()
    path = check_figure_path(path)
    tau = _coefficient_array(coefficients, "tau", 3, "(batch, time, units)")
    b = _coefficient_array(coefficients, "b", 3, "(batch, time, units)")
    if tau.shape != b.shape:
        raise ValueError(
            "Expected `tau` and `b` of the same shape (batch, time, units). "
            f"Received: tau of shape {tau.shape} and b of shape {b.shape}"
        )
    sample = check_int("sample", sample, minimum=0, maximum=tau.shape[0] - 1)
    neurons = check_indices("neurons", neurons, tau.shape[-1])

    figure = Figure(figsize=(8.0, 5.5), layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True)
    steps = np.arange(tau.shape[1])
    for neuron in neurons:
        top.plot(steps, tau[sample, :, neuron], label=f"neuron {neuron}")
        bottom.plot(steps, b[sample, :, neuron], label=f"neuron {neuron}")
    # time constants span decades (a fraction of a step to thousands): a log axis shows them all
    top.set_yscale("log")
    top.set_ylabel("tau (time constant, steps)")
    top.set_title(f"Coefficients of sample {sample}")
    bottom.set_ylabel("b (drive)")
    bottom.set_xlabel("step")
    top.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    for axis in (top, bottom):
        axis.grid(alpha=0.3)
    return save_figure(figure, path)


def plot_conductance_matrices(
    coefficients: Mapping,
    steps=None,
    sample: int = 0,
    path: str | os.PathLike | None = None,
) -> Figure:
    """Plots the recurrent conductance matrix `G[pre, post]` at chosen steps.

    One heatmap per step of `conductance[sample, step]`: rows are the
    presynaptic neurons, columns the postsynaptic ones, and absent synapses
    are 0. All heatmaps share one colour scale and one colour bar, so they can
    be compared.

    Args:
        coefficients: The dict returned by
            `keras_biosyn.interpretability.sequence_coefficients`, holding
            `"conductance"` of shape `(batch, time, units, units)`.
        steps: Step indices to draw: an int, a sequence of ints (negative
            ones count from the end, as in Python), or `None` for the first,
            middle and last steps.
        sample: Index of the sequence in the batch.
        path: If given, the figure is saved there as a PNG (see
            `plot_coefficients_over_time`).

    Returns:
        A `matplotlib.figure.Figure` with one axes per step and a colour bar.

    Example:

    ```python
    coefficients = sequence_coefficients(model, x[:4])    # conductance: (4, T, N, N)
    figure = plot_conductance_matrices(coefficients, steps=[0, -1], path="G.png")
    ```
    """
    Figure = figure_class()
    path = check_figure_path(path)
    conductance = _coefficient_array(coefficients, "conductance", 4, "(batch, time, units, units)")
    if conductance.shape[-1] != conductance.shape[-2]:
        raise ValueError(
            "Expected `conductance` of shape (batch, time, units, units). "
            f"Received: conductance of shape {conductance.shape}"
        )
    sample = check_int("sample", sample, minimum=0, maximum=conductance.shape[0] - 1)
    time = conductance.shape[1]
    if steps is None:
        steps = sorted({0, time // 2, time - 1})
    else:
        steps = [step % time for step in check_indices("steps", steps, time, negative=True)]
    matrices = conductance[sample, steps]
    units = conductance.shape[-1]
    low, high = float(min(matrices.min(), 0.0)), float(matrices.max())
    if high <= low:
        high = low + 1.0

    figure = Figure(figsize=(3.0 * len(steps) + 1.2, 3.9), layout="constrained")
    axes = figure.subplots(1, len(steps), squeeze=False)[0]
    for axis, step, matrix in zip(axes, steps, matrices, strict=True):
        image = axis.imshow(matrix, vmin=low, vmax=high, cmap="viridis", interpolation="nearest")
        axis.set_title(f"step {step}")
        axis.set_xlabel("postsynaptic neuron")
        if units <= 16:
            axis.set_xticks(range(units))
            axis.set_yticks(range(units))
            axis.tick_params(labelsize="x-small")
    axes[0].set_ylabel("presynaptic neuron")
    figure.colorbar(image, ax=list(axes), label="conductance", shrink=0.9)
    figure.suptitle(f"Recurrent conductances of sample {sample}")
    return save_figure(figure, path)


def _coefficient_array(coefficients, name, ndim, shape):
    if not isinstance(coefficients, Mapping):
        raise TypeError(
            "Expected `coefficients` to be the dict returned by sequence_coefficients. "
            f"Received: coefficients of type {type(coefficients).__name__}"
        )
    if name not in coefficients:
        raise ValueError(
            f"Expected `coefficients` to hold {name!r} of shape {shape} "
            f"(compute it with sequence_coefficients). Received: keys {sorted(coefficients)}"
        )
    array = np.asarray(coefficients[name])
    if array.ndim != ndim or 0 in array.shape:
        raise ValueError(
            f"Expected `{name}` of shape {shape}, none of them 0. "
            f"Received: {name} of shape {array.shape}"
        )
    return array
