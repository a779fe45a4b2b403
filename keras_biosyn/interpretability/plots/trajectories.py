"""Figures of a recording: how a coefficient changes during training."""

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
from keras_biosyn.interpretability.recording import recorded_coefficient, recording_progress

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def plot_training_trajectories(
    recording: Mapping,
    layer: str | None = None,
    coefficient: str = "tau",
    neurons=None,
    path: str | os.PathLike | None = None,
) -> Figure:
    """Plots how a per-neuron coefficient changes during training.

    For each chosen neuron, the coefficient averaged over the probe batch and
    over time, one point per record. The x axis is the epoch (`0` is before
    training) when every record was taken at an epoch's end (`batch == -1`);
    when the recording holds batch records (`every_n_batches`), whose epoch
    fraction is not recorded, it is the record index, labelled `"record"`.

    Args:
        recording: `CoefficientRecorder.history` (lists of `(batch, time, ...)`
            arrays) or the dict returned by
            `keras_biosyn.interpretability.load_recording` (arrays stacked
            over records).
        layer: Name of the recorded layer; may be omitted when the recording
            holds one layer.
        coefficient: A coefficient with one value per neuron: `"tau"`, `"A"`,
            `"b"`, `"leak_A"`, `"leak_b"`, `"recurrent_A"` or `"recurrent_b"`.
        neurons: Neuron indices to draw: an int, a sequence of ints, or
            `None` for the first (up to) 8 neurons.
        path: If given, the figure is saved there as a PNG (see
            `plot_coefficients_over_time`).

    Returns:
        A `matplotlib.figure.Figure` with one axes.

    Example:

    ```python
    recorder = CoefficientRecorder(x_train[:8], save_path="coefficients")
    model.fit(x_train, y_train, epochs=10, callbacks=[recorder])
    figure = plot_training_trajectories(recorder.history, coefficient="tau")
    figure = plot_training_trajectories(load_recording("coefficients"), path="tau.png")
    ```
    """
    Figure = figure_class()
    from matplotlib.ticker import MaxNLocator

    path = check_figure_path(path)
    layer, values = recorded_coefficient(recording, coefficient, layer)
    if values.ndim != 4:
        raise ValueError(
            "Expected a coefficient with one value per neuron (records, batch, time, units), "
            "such as 'tau', 'A', 'b', 'leak_A', 'leak_b', 'recurrent_A' or 'recurrent_b'. "
            f"Received: coefficient={coefficient!r} of shape {values.shape}"
        )
    progress, label = recording_progress(recording, values.shape[0])
    neurons = check_indices("neurons", neurons, values.shape[-1])
    means = values.astype(np.float64).mean(axis=(1, 2))

    figure = Figure(figsize=(8.0, 4.5), layout="constrained")
    axis = figure.add_subplot()
    for neuron in neurons:
        axis.plot(progress, means[:, neuron], marker="o", markersize=3, label=f"neuron {neuron}")
    axis.set_xlabel(label)
    axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    axis.set_ylabel(f"{coefficient} (mean over probe batch and time)")
    axis.set_title(f"{layer}: {coefficient} during training")
    axis.grid(alpha=0.3)
    axis.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    return save_figure(figure, path)
