"""Figures of the circuit: neurons in columns, synapses as arrows coloured by polarity."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

import keras
import numpy as np

from keras_biosyn.cells import WiredCell
from keras_biosyn.interpretability.plots.figures import (
    check_figure_path,
    figure_class,
    save_figure,
)
from keras_biosyn.interpretability.roles import neuron_roles
from keras_biosyn.utils.validation import check_int
from keras_biosyn.wirings import Wiring

if TYPE_CHECKING:
    from matplotlib.figure import Figure

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


def plot_wiring(
    cell_or_wiring,
    input_dim: int | None = None,
    path: str | os.PathLike | None = None,
    synapse_strengths=None,
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

    For a built cell the synapses and their polarities are the cell's own,
    from `cell.polarity()`: for a `BioSynLTCCell`, the synapses of its
    `adjacency` and `sensory_adjacency` weights (so pruned synapses are left
    out) with the sign of the learned reversal potentials `erev` and
    `sensory_erev`. For a wiring, or a cell that is not built yet, the
    wiring's own matrices and polarities are drawn.

    With `synapse_strengths`, signed strengths such as polarity × typical
    conductance (what `keras_biosyn.interpretability.describe` draws), the
    synapses drawn are their non-zero entries, each coloured by its sign and
    as wide as its magnitude (the strongest synapse widest).

    Args:
        cell_or_wiring: A cell (`BioSynLTCCell`, `CTRNNCell` or another
            `WiredCell`), a `keras.layers.RNN` wrapping one, or a
            `keras_biosyn.wirings.Wiring`.
        input_dim: Number of input features. Needed for a wiring (or an
            unbuilt cell) without its own `input_dim`; must match when both
            are known.
        path: If given, the figure is saved there as a PNG (see
            `plot_coefficients_over_time`).
        synapse_strengths: `None`, or a pair of arrays `(recurrent, sensory)`
            of shapes `(units, units)` indexed `[pre, post]` and
            `(input_dim, units)`: signed synapse strengths that replace the
            polarities of `cell_or_wiring` (`> 0` excitatory, `< 0`
            inhibitory, `0` not drawn) and set the arrows' widths.

    Returns:
        A `matplotlib.figure.Figure` with one axes.

    Example:

    ```python
    figure = plot_wiring(wirings.AutoNCP(16, 2, seed=1), input_dim=3, path="ncp.png")
    figure = plot_wiring(cell, synapse_strengths=(polarity * g, sensory_polarity * gs))
    figure = plot_wiring(model.get_layer("ltc").cell)        # learned polarities
    ```
    """
    Figure = figure_class()
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch
    from matplotlib.transforms import offset_copy

    path = check_figure_path(path)
    recurrent, sensory, wiring = _circuit(cell_or_wiring, input_dim)
    width = _widths(synapse_strengths, recurrent.shape, sensory.shape)
    if synapse_strengths is not None:
        recurrent, sensory = (np.sign(np.asarray(s, np.float64)) for s in synapse_strengths)
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

    def arrow(start, end, sign, linewidth):
        forward = end[0] > start[0]
        axis.add_patch(
            FancyArrowPatch(
                start,
                end,
                arrowstyle="-|>",
                mutation_scale=8,
                color=color(sign),
                linewidth=linewidth,
                alpha=0.75,
                shrinkA=7,
                shrinkB=7,
                connectionstyle="arc3,rad=0.0" if forward else "arc3,rad=0.35",
                zorder=1,
            )
        )

    for k, i in zip(*np.nonzero(sensory), strict=True):
        arrow(xy["sensory", k], xy["neuron", i], sensory[k, i], width("sensory", k, i))
    loops = {1: [], -1: []}
    for j, i in zip(*np.nonzero(recurrent), strict=True):
        if i == j:
            loops[1 if recurrent[j, i] > 0 else -1].append((xy["neuron", j], width("", j, i)))
        else:
            arrow(xy["neuron", j], xy["neuron", i], recurrent[j, i], width("", j, i))

    ring = offset_copy(axis.transData, fig=figure, x=7, y=7, units="points")
    for sign, rings in loops.items():
        if rings:
            points, widths = zip(*rings, strict=True)
            xs, ys = np.transpose(points)
            axis.scatter(
                xs,
                ys,
                s=70,
                marker="o",
                facecolors="none",
                edgecolors=color(sign),
                linewidths=[1.25 * w for w in widths],
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
    title = (
        f"{type(wiring).__name__}: {np.count_nonzero(sensory)} sensory and "
        f"{np.count_nonzero(recurrent)} recurrent synapses"
    )
    if synapse_strengths is not None:
        title += "\n(arrow width: synapse strength)"
    axis.set_title(title)
    return save_figure(figure, path)


def _widths(synapse_strengths, recurrent_shape, sensory_shape):
    """`width(kind, pre, post)`: an arrow's line width, 0.8 without strengths."""
    if synapse_strengths is None:
        return lambda kind, pre, post: 0.8
    try:
        recurrent, sensory = (np.asarray(s, dtype=np.float64) for s in synapse_strengths)
    except (TypeError, ValueError):
        raise TypeError(
            "Expected `synapse_strengths` to be a pair of numeric arrays (recurrent, sensory). "
            f"Received: synapse_strengths of type {type(synapse_strengths).__name__}"
        ) from None
    if recurrent.shape != recurrent_shape or sensory.shape != sensory_shape:
        raise ValueError(
            f"Expected `synapse_strengths` of shapes {recurrent_shape} and {sensory_shape} "
            f"(this circuit's). Received: shapes {recurrent.shape} and {sensory.shape}"
        )
    if not (np.all(np.isfinite(recurrent)) and np.all(np.isfinite(sensory))):
        raise ValueError("Expected finite `synapse_strengths`. Received: NaN or infinite values")
    largest = max(np.abs(recurrent).max(initial=0.0), np.abs(sensory).max(initial=0.0))
    scale = 3.2 / largest if largest > 0 else 0.0
    matrices = {"sensory": np.abs(sensory), "": np.abs(recurrent)}
    return lambda kind, pre, post: 0.3 + scale * float(matrices[kind][pre, post])


def _circuit(cell_or_wiring, input_dim):
    """`(recurrent, sensory, wiring)`: signed polarity matrices (0 = no synapse)."""
    target = cell_or_wiring
    if isinstance(target, keras.layers.RNN) and isinstance(target.cell, WiredCell):
        target = target.cell
    if isinstance(target, WiredCell) and target.built:
        if input_dim is not None:
            input_dim = check_int("input_dim", input_dim, minimum=1)
            if input_dim != target.input_dim:
                raise ValueError(
                    f"This cell was built for input_dim={target.input_dim} features. "
                    f"Received: input_dim={input_dim}"
                )
        recurrent, sensory = target.polarity()
        return recurrent.astype(np.int8), sensory.astype(np.int8), target.wiring
    if isinstance(target, WiredCell):
        target = target.wiring
    if not isinstance(target, Wiring):
        raise TypeError(
            "Expected a cell (BioSynLTCCell, CTRNNCell), a keras.layers.RNN wrapping one, "
            "or a keras_biosyn.wirings.Wiring. "
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
    roles = neuron_roles(wiring)
    groups = getattr(wiring, "neuron_groups", None)
    if isinstance(groups, Mapping):
        order = [name for name in ("inter", "command", "motor") if name in groups]
        order += [str(name) for name in groups if name not in order] + ["other"]
    else:
        order = ["hidden", "output"]
    columns = [(title, [i for i, role in enumerate(roles) if role == title]) for title in order]
    return [(title, group) for title, group in columns if group]
