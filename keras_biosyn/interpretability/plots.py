"""Figures of the circuit and its coefficients (matplotlib is an optional extra).

Every function returns a `matplotlib.figure.Figure` built without `pyplot`,
so no GUI backend or global figure state is involved, and saves it as a PNG
when `path` is given. Install matplotlib with `pip install "keras-biosyn[plots]"`.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import keras
import numpy as np

from keras_biosyn.cells import BioSynLTCCell
from keras_biosyn.utils.files import write_atomically
from keras_biosyn.utils.validation import check_int
from keras_biosyn.wirings import Wiring

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "plot_coefficients_over_time",
    "plot_conductance_matrices",
    "plot_training_trajectories",
    "plot_wiring",
]

# Neurons drawn when `neurons=None`.
DEFAULT_NEURONS = 8
EXCITATORY_COLOR = "tab:green"
INHIBITORY_COLOR = "tab:red"
_GROUP_COLORS = {
    "sensory": "#f2c14e",
    "inter": "#8ecae6",
    "command": "#a78bfa",
    "motor": "#f4978e",
    "hidden": "#8ecae6",
    "output": "#f4978e",
}
_NODE_LABELS_MAX = 64


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
    Figure = _figure_class()
    path = _check_path(path)
    tau = _coefficient_array(coefficients, "tau", 3, "(batch, time, units)")
    b = _coefficient_array(coefficients, "b", 3, "(batch, time, units)")
    if tau.shape != b.shape:
        raise ValueError(
            "Expected `tau` and `b` of the same shape (batch, time, units). "
            f"Received: tau of shape {tau.shape} and b of shape {b.shape}"
        )
    sample = check_int("sample", sample, minimum=0, maximum=tau.shape[0] - 1)
    neurons = _indices("neurons", neurons, tau.shape[-1])

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
    return _finish(figure, path)


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
    Figure = _figure_class()
    path = _check_path(path)
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
        steps = [step % time for step in _indices("steps", steps, time, negative=True)]
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
    return _finish(figure, path)


def plot_wiring(
    cell_or_wiring,
    input_dim: int | None = None,
    path: str | os.PathLike | None = None,
) -> Figure:
    """Draws a circuit: its neurons in columns and its synapses as coloured arrows.

    Columns run left to right: the sensory inputs, then for NCP-like wirings
    (those with `neuron_groups`) the inter, command and motor neurons, and
    otherwise the hidden (non-output) neurons and the output neurons (the
    first `output_size`). Arrows are the sensory and recurrent synapses, green
    for excitatory and red for inhibitory; arrows between neurons of the same
    column, or from right to left, are curved. A self-synapse (`j -> j`) is
    drawn as a small ring, in its polarity's colour, at the upper right of
    its neuron.

    For a built `BioSynLTCCell` the graph is read from its `adjacency` and
    `sensory_adjacency` weights (so pruned synapses are left out) and the
    polarity from the sign of the learned reversal potentials `erev` and
    `sensory_erev` (`erev >= 0` counts as excitatory). For a wiring, or a cell
    that is not built yet, the wiring's own matrices and polarities are drawn.

    Args:
        cell_or_wiring: A `BioSynLTCCell`, a `keras.layers.RNN` wrapping one,
            or a `keras_biosyn.wirings.Wiring`.
        input_dim: Number of input features. Needed for a wiring (or an
            unbuilt cell) without its own `input_dim`; must match when both
            are known.
        path: If given, the figure is saved there as a PNG (see
            `plot_coefficients_over_time`).

    Returns:
        A `matplotlib.figure.Figure` with one axes.

    Example:

    ```python
    figure = plot_wiring(wirings.AutoNCP(16, 2, seed=1), input_dim=3, path="ncp.png")
    figure = plot_wiring(model.get_layer("ltc").cell)        # learned polarities
    ```
    """
    Figure = _figure_class()
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch
    from matplotlib.transforms import offset_copy

    path = _check_path(path)
    recurrent, sensory, wiring = _circuit(cell_or_wiring, input_dim)
    # (title, kind, indices); a node is `(kind, index)`, kind "sensory" or "neuron".
    columns = [("sensory", "sensory", list(range(sensory.shape[0])))]
    columns += [(title, "neuron", group) for title, group in _neuron_columns(wiring)]
    height = max(len(indices) for _, _, indices in columns)
    # Column c at x = c, its first node on top.
    xy = {}
    for column, (_, kind, indices) in enumerate(columns):
        ys = (len(indices) - 1) / 2.0 - np.arange(len(indices))
        for index, y in zip(indices, ys, strict=True):
            xy[kind, index] = (float(column), float(y))

    figure = Figure(
        figsize=(1.8 * len(columns) + 2.6, min(16.0, max(3.5, 0.45 * height + 1.6))),
        layout="constrained",
    )
    axis = figure.add_subplot()

    def color(sign):
        return EXCITATORY_COLOR if sign > 0 else INHIBITORY_COLOR

    def arrow(start, end, sign):
        forward = end[0] > start[0]
        axis.add_patch(
            FancyArrowPatch(
                start,
                end,
                arrowstyle="-|>",
                mutation_scale=8,
                color=color(sign),
                linewidth=0.8,
                alpha=0.75,
                shrinkA=7,
                shrinkB=7,
                connectionstyle="arc3,rad=0.0" if forward else "arc3,rad=0.35",
                zorder=1,
            )
        )

    for k, i in zip(*np.nonzero(sensory), strict=True):
        arrow(xy["sensory", k], xy["neuron", i], sensory[k, i])
    loops = {1: [], -1: []}
    for j, i in zip(*np.nonzero(recurrent), strict=True):
        if i == j:
            loops[1 if recurrent[j, i] > 0 else -1].append(xy["neuron", j])
        else:
            arrow(xy["neuron", j], xy["neuron", i], recurrent[j, i])

    ring = offset_copy(axis.transData, fig=figure, x=7, y=7, units="points")
    for sign, points in loops.items():
        if points:
            xs, ys = np.transpose(points)
            axis.scatter(
                xs,
                ys,
                s=70,
                marker="o",
                facecolors="none",
                edgecolors=color(sign),
                linewidths=1.0,
                transform=ring,
                zorder=2,
                gid="self_synapses",
            )

    labels = len(recurrent) + len(sensory) <= _NODE_LABELS_MAX
    for column, (title, kind, indices) in enumerate(columns):
        points = [xy[kind, index] for index in indices]
        xs, ys = np.transpose(points)
        axis.scatter(
            xs,
            ys,
            s=220,
            color=_GROUP_COLORS.get(title, "#cccccc"),
            edgecolors="black",
            linewidths=0.8,
            zorder=3,
        )
        if labels:
            for index, (x, y) in zip(indices, points, strict=True):
                name = f"x{index}" if kind == "sensory" else str(index)
                axis.text(x, y, name, ha="center", va="center", fontsize=7, zorder=4)
        axis.text(column, height / 2.0 + 0.3, title, ha="center", va="bottom", gid="column_title")

    handles = [
        Line2D([], [], color=EXCITATORY_COLOR, label="excitatory"),
        Line2D([], [], color=INHIBITORY_COLOR, label="inhibitory"),
    ]
    if loops[1] or loops[-1]:
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markerfacecolor="none",
                markeredgecolor="black",
                label="self-synapse",
            )
        )
    axis.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
    axis.set_xlim(-0.6, len(columns) - 0.4)
    axis.set_ylim(-height / 2.0 - 0.2, height / 2.0 + 1.0)
    axis.set_axis_off()
    axis.set_title(
        f"{type(wiring).__name__}: {np.count_nonzero(sensory)} sensory and "
        f"{np.count_nonzero(recurrent)} recurrent synapses"
    )
    return _finish(figure, path)


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
    Figure = _figure_class()
    from matplotlib.ticker import MaxNLocator

    path = _check_path(path)
    if not isinstance(recording, Mapping):
        raise TypeError(
            "Expected `recording` to be CoefficientRecorder.history or the dict from "
            f"load_recording. Received: recording of type {type(recording).__name__}"
        )
    layers = sorted({key.rsplit("/", 1)[0] for key in recording if "/" in str(key)})
    if not layers:
        raise ValueError(
            "Expected a recording with '<layer>/<coefficient>' entries, as written by "
            f"CoefficientRecorder. Received: recording with keys {sorted(map(str, recording))}"
        )
    if layer is None:
        if len(layers) > 1:
            raise ValueError(
                f"This recording holds several layers {layers}: pass `layer=` to choose "
                "one. Received: layer=None"
            )
        layer = layers[0]
    elif layer not in layers:
        raise ValueError(
            f"Expected `layer` to be one of the recorded layers {layers}. "
            f"Received: layer={layer!r}"
        )
    key = f"{layer}/{coefficient}"
    if key not in recording:
        recorded = sorted(k.rsplit("/", 1)[1] for k in recording if str(k).startswith(f"{layer}/"))
        raise ValueError(
            f"Expected `coefficient` to be one recorded for layer {layer!r}: {recorded}. "
            f"Received: coefficient={coefficient!r}"
        )
    values = _stacked(recording[key], key)
    if values.ndim != 4:
        raise ValueError(
            "Expected a coefficient with one value per neuron (records, batch, time, units), "
            "such as 'tau', 'A', 'b', 'leak_A', 'leak_b', 'recurrent_A' or 'recurrent_b'. "
            f"Received: coefficient={coefficient!r} of shape {values.shape}"
        )
    records = values.shape[0]
    epochs = _progress(recording, "epoch", records)
    batches = _progress(recording, "batch", records)
    if epochs is not None and (batches is None or np.all(batches < 0)):
        progress, label = epochs, "epoch"
    else:
        progress, label = np.arange(records), "record"
    neurons = _indices("neurons", neurons, values.shape[-1])
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
    return _finish(figure, path)


# -- helpers -----------------------------------------------------------------------
def _figure_class():
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


def _check_path(path):
    if path is None:
        return None
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            "Expected `path` to be a str or os.PathLike ending in '.png', or None. "
            f"Received: path={path!r} of type {type(path).__name__}"
        )
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise ValueError(
            f"Expected `path` to name a '.png' file (figures are saved as PNG). "
            f"Received: path={str(path)!r}"
        )
    if not path.parent.is_dir():
        raise FileNotFoundError(
            "Expected `path` in an existing directory. "
            f"Received: path={str(path)!r}, whose directory {str(path.parent)!r} does not exist"
        )
    return path


def _finish(figure, path):
    """Saves `figure` as a PNG at `path` (atomically) when `path` is set; returns it."""
    if path is not None:
        write_atomically(path, lambda file: figure.savefig(file, format="png"))
    return figure


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


def _indices(name, values, size, negative=False):
    """A non-empty list of ints in `[0, size)` (or `[-size, size)` with `negative`)."""
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


def _circuit(cell_or_wiring, input_dim):
    """`(recurrent, sensory, wiring)`: signed polarity matrices (0 = no synapse)."""
    target = cell_or_wiring
    if isinstance(target, keras.layers.RNN) and isinstance(target.cell, BioSynLTCCell):
        target = target.cell
    if isinstance(target, BioSynLTCCell) and target.built:
        if input_dim is not None:
            input_dim = check_int("input_dim", input_dim, minimum=1)
            if input_dim != target.input_dim:
                raise ValueError(
                    f"This cell was built for input_dim={target.input_dim} features. "
                    f"Received: input_dim={input_dim}"
                )
        exists = keras.ops.convert_to_numpy(target.adjacency) != 0
        sensory_exists = keras.ops.convert_to_numpy(target.sensory_adjacency) != 0
        erev = keras.ops.convert_to_numpy(target.erev)
        sensory_erev = keras.ops.convert_to_numpy(target.sensory_erev)
        recurrent = np.where(erev >= 0, 1, -1) * exists
        sensory = np.where(sensory_erev >= 0, 1, -1) * sensory_exists
        return recurrent.astype(np.int8), sensory.astype(np.int8), target.wiring
    if isinstance(target, BioSynLTCCell):
        target = target.wiring
    if not isinstance(target, Wiring):
        raise TypeError(
            "Expected a BioSynLTCCell, a keras.layers.RNN wrapping one, or a "
            "keras_biosyn.wirings.Wiring. "
            f"Received: cell_or_wiring of type {type(cell_or_wiring).__name__}"
        )
    if input_dim is None and target.input_dim is None:
        raise ValueError(
            f"This {type(target).__name__} wiring has no `input_dim`: pass `input_dim=` "
            "(the number of input features) to draw its sensory synapses. "
            "Received: input_dim=None"
        )
    sensory = target.sensory_adjacency(input_dim)
    return np.asarray(target.adjacency_matrix), np.asarray(sensory), target


def _neuron_columns(wiring):
    """`[(title, neuron indices)]`, left to right, empty columns left out."""
    groups = getattr(wiring, "neuron_groups", None)
    if isinstance(groups, Mapping):
        order = [name for name in ("inter", "command", "motor") if name in groups]
        order += [name for name in groups if name not in order]
        columns = [(str(name), [int(i) for i in groups[name]]) for name in order]
        placed = {i for _, group in columns for i in group}
        columns.append(("other", [i for i in range(wiring.units) if i not in placed]))
    else:
        columns = [
            ("hidden", list(range(wiring.output_size, wiring.units))),
            ("output", list(range(wiring.output_size))),
        ]
    return [(title, group) for title, group in columns if group]


def _stacked(values, key):
    if isinstance(values, (list, tuple)):
        if not values:
            raise ValueError(
                f"Expected at least one record of {key!r}. Received: an empty list "
                "(was the recorder used in `fit`?)"
            )
        return np.stack([np.asarray(value) for value in values])
    return np.asarray(values)


def _progress(recording, name, records):
    if name not in recording:
        return None
    values = np.asarray(recording[name])
    if values.shape != (records,):
        raise ValueError(
            f"Expected `{name}` with one entry per record, shape ({records},). "
            f"Received: {name} of shape {values.shape}"
        )
    return values
