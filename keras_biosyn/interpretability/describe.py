"""`describe`: a readable account of the linear system a BioSynLTC circuit has learned."""

from __future__ import annotations

import dataclasses
import os
from typing import TYPE_CHECKING

import numpy as np

from keras_biosyn.interpretability.layer_selection import select_layer
from keras_biosyn.interpretability.plots.wiring import plot_wiring
from keras_biosyn.interpretability.roles import neuron_roles
from keras_biosyn.interpretability.sequence import SequenceRunner
from keras_biosyn.utils.validation import check_int, check_sequences, model_input_shape
from keras_biosyn.wirings import Wiring

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# The coefficients `describe` reduces over the data.
DESCRIBED_COEFFICIENTS = ("tau", "conductance", "sensory_conductance")


@dataclasses.dataclass(frozen=True, eq=False)
class CircuitDescription:
    """What `describe` found: per-neuron statistics of the learned linear system.

    Arrays are indexed by neuron (`i`), presynaptic neuron (`j`) and input
    (`k`); neuron `i` is named `n{i}` and input `k` `x{k}`. With
    `input_mapping="dense"` the sensory synapses read projections, learned
    mixes of the input features: projection `k` is named `p{k}` and
    `input_mixing` says which features make it.

    Attributes:
        layer: Name of the described BioSynLTC layer.
        wiring: The cell's `keras_biosyn.wirings.Wiring`.
        roles: Per neuron, its group in the wiring (`"motor"`, `"command"`,
            `"inter"` for an NCP) or `"output"`/`"hidden"`.
        sequences, steps: How many sequences, and steps in all, were reduced.
        time_unit: `"steps"`, or `"time units"` for a cell with `time_input`.
        tau_min, tau_mean, tau_max: `(units,)` statistics of the time constant
            `tau = cm / (gleak + Σ conductances)` over every step of the data.
        cm, gleak, vleak: `(units,)` the leak parameters.
        conductance: `(units, units)` `[j, i]` mean recurrent conductance.
        sensory_conductance: `(input_dim, units)` `[k, i]` mean sensory
            conductance.
        polarity, sensory_polarity: Signs of the synapses (`cell.polarity()`):
            +1 excitatory, -1 inhibitory, 0 none.
        top: How many inputs `to_markdown` lists per neuron and polarity.
        input_mixing: `(features, projections)` the dense input mapping's
            matrix (`cell.input_w`, `[feature, projection]`), or `None` when
            each sensory synapse reads one feature.
    """

    layer: str
    wiring: Wiring = dataclasses.field(repr=False)
    roles: tuple[str, ...]
    sequences: int
    steps: int
    time_unit: str
    tau_min: np.ndarray
    tau_mean: np.ndarray
    tau_max: np.ndarray
    cm: np.ndarray
    gleak: np.ndarray
    vleak: np.ndarray
    conductance: np.ndarray
    sensory_conductance: np.ndarray
    polarity: np.ndarray
    sensory_polarity: np.ndarray
    top: int = 3
    input_mixing: np.ndarray | None = None

    @property
    def input_names(self) -> list[str]:
        """What the sensory synapses read: `x{k}` features, or `p{k}` projections."""
        prefix = "x" if self.input_mixing is None else "p"
        return [f"{prefix}{k}" for k in range(self.input_dim)]

    def projection_sources(self, projection: int) -> list[tuple[str, float]]:
        """The `top` input features that make `projection`, largest |weight| first.

        Empty when each sensory synapse reads one feature (no `input_mixing`).

        Returns:
            A list of `(feature name, weight)`.
        """
        if self.input_mixing is None:
            return []
        weights = self.input_mixing[:, projection]
        order = np.argsort(-np.abs(weights), kind="stable")[: self.top]
        return [(f"x{f}", float(weights[f])) for f in order]

    @property
    def units(self) -> int:
        return len(self.roles)

    @property
    def input_dim(self) -> int:
        return self.sensory_conductance.shape[0]

    @property
    def silent_synapses(self) -> int:
        """Synapses, recurrent or sensory, whose conductance was 0 at every step."""
        return int(
            np.count_nonzero(self.polarity * (self.conductance == 0))
            + np.count_nonzero(self.sensory_polarity * (self.sensory_conductance == 0))
        )

    def strongest_inputs(self, neuron: int, sign: int) -> list[tuple[str, float]]:
        """The `top` synapses of one polarity onto `neuron`, strongest first.

        Recurrent and sensory synapses are ranked together by mean
        conductance (ties: recurrent before sensory, lower index first).

        Args:
            neuron: Index of the postsynaptic neuron.
            sign: `1` for excitatory synapses, `-1` for inhibitory ones.

        Returns:
            A list of `(source name, mean conductance)`, sources `n{j}` or
            `input_names`.
        """
        sources = [f"n{j}" for j in range(self.units)] + self.input_names
        signs = np.concatenate([self.polarity[:, neuron], self.sensory_polarity[:, neuron]])
        values = np.concatenate([self.conductance[:, neuron], self.sensory_conductance[:, neuron]])
        order = [s for s in np.argsort(-values, kind="stable") if signs[s] == sign]
        return [(sources[s], float(values[s])) for s in order[: self.top]]

    def driven_neurons(self, feature: int, sign: int) -> list[tuple[str, float]]:
        """The `top` neurons that input `feature` drives through synapses of one polarity.

        Args:
            feature: Index of the input feature.
            sign: `1` for excitatory synapses, `-1` for inhibitory ones.

        Returns:
            A list of `(neuron name, mean conductance)`, strongest first.
        """
        values = self.sensory_conductance[feature]
        signs = self.sensory_polarity[feature]
        order = [i for i in np.argsort(-values, kind="stable") if signs[i] == sign]
        return [(f"n{i}", float(values[i])) for i in order[: self.top]]

    def to_dict(self) -> dict:
        """The description as plain Python values (JSON-safe)."""

        def named(pairs):
            return [{"source": name, "conductance": value} for name, value in pairs]

        neurons = [
            {
                "name": f"n{i}",
                "role": self.roles[i],
                "tau": {
                    "min": float(self.tau_min[i]),
                    "mean": float(self.tau_mean[i]),
                    "max": float(self.tau_max[i]),
                },
                "leak": {
                    "cm": float(self.cm[i]),
                    "gleak": float(self.gleak[i]),
                    "vleak": float(self.vleak[i]),
                },
                "excitatory_inputs": named(self.strongest_inputs(i, 1)),
                "inhibitory_inputs": named(self.strongest_inputs(i, -1)),
            }
            for i in range(self.units)
        ]
        inputs = [
            {
                "name": self.input_names[k],
                **(
                    {
                        "made_of": [
                            {"feature": f, "weight": w} for f, w in self.projection_sources(k)
                        ]
                    }
                    if self.input_mixing is not None
                    else {}
                ),
                "excites": [{"neuron": n, "conductance": g} for n, g in self.driven_neurons(k, 1)],
                "inhibits": [
                    {"neuron": n, "conductance": g} for n, g in self.driven_neurons(k, -1)
                ],
            }
            for k in range(self.input_dim)
        ]
        return {
            "layer": self.layer,
            "wiring": type(self.wiring).__name__,
            "units": self.units,
            "input_dim": self.input_dim,
            "input_mapping": "per feature" if self.input_mixing is None else "dense",
            "synapses": int(np.count_nonzero(self.polarity)),
            "sensory_synapses": int(np.count_nonzero(self.sensory_polarity)),
            "silent_synapses": self.silent_synapses,
            "sequences": self.sequences,
            "steps": self.steps,
            "time_unit": self.time_unit,
            "neurons": neurons,
            "inputs": inputs,
        }

    def to_markdown(self) -> str:
        """The description as Markdown: a summary, a table of neurons and one of inputs."""

        def listed(pairs):
            return ", ".join(f"{name} ({value:.2g})" for name, value in pairs) or "–"

        silent = self.silent_synapses
        silent = f" ({silent} of them silent: conductance 0 throughout)" if silent else ""
        mixed = self.input_mixing is not None
        inputs = (
            f"{self.input_mixing.shape[0]} input features mixed into {self.input_dim} "
            'projections (`input_mapping="dense"`)'
            if mixed
            else f"{self.input_dim} input features"
        )
        lines = [
            f"# Circuit of `{self.layer}`",
            "",
            f"{type(self.wiring).__name__} of {self.units} neurons on {inputs}: "
            f"{np.count_nonzero(self.polarity)} recurrent and "
            f"{np.count_nonzero(self.sensory_polarity)} sensory synapses{silent}. "
            "Each step is the linear system `dv/dt = -v / tau + b` with "
            f"`tau = cm / (gleak + Σ G)`; statistics over {self.sequences} sequences, "
            f"{self.steps} steps in all (tau in {self.time_unit}, G the mean conductance).",
            "",
            "## Neurons",
            "",
            "| neuron | role | tau min / mean / max | cm | gleak | vleak "
            "| strongest excitatory inputs (G) | strongest inhibitory inputs (G) |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for i in range(self.units):
            tau = f"{self.tau_min[i]:.3g} / {self.tau_mean[i]:.3g} / {self.tau_max[i]:.3g}"
            lines.append(
                f"| n{i} | {self.roles[i]} | {tau} | {self.cm[i]:.3g} | {self.gleak[i]:.3g} "
                f"| {self.vleak[i]:.3g} | {listed(self.strongest_inputs(i, 1))} "
                f"| {listed(self.strongest_inputs(i, -1))} |"
            )
        made_of = "| made of (weight) " if mixed else ""
        lines += [
            "",
            "## Inputs",
            "",
            f"| {'projection' if mixed else 'input'} {made_of}| excites most (G) "
            "| inhibits most (G) |",
            "| --- | --- | --- |" + (" --- |" if mixed else ""),
        ]
        for k in range(self.input_dim):
            sources = f"| {listed(self.projection_sources(k))} " if mixed else ""
            lines.append(
                f"| {self.input_names[k]} {sources}| {listed(self.driven_neurons(k, 1))} "
                f"| {listed(self.driven_neurons(k, -1))} |"
            )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_markdown()

    def plot(self, path: str | os.PathLike | None = None) -> Figure:
        """The wiring, arrow width = mean conductance, colour = polarity.

        Args:
            path: If given, the figure is saved there as a PNG (the name must
                end in `.png` and its directory must exist), atomically.

        Returns:
            A `matplotlib.figure.Figure` (see `plots.plot_wiring`).
        """
        strengths = (
            self.polarity * self.conductance,
            self.sensory_polarity * self.sensory_conductance,
        )
        return plot_wiring(
            self.wiring, input_dim=self.input_dim, path=path, synapse_strengths=strengths
        )


def describe(
    model,
    data,
    layer: str | None = None,
    top: int = 3,
    batch_size: int = 64,
    time_chunk: int = 256,
) -> CircuitDescription:
    """A readable account of the linear system a BioSynLTC circuit has learned.

    Runs the model's inputs `data` through the circuit, evaluates the
    coefficients of each step's linear system (see `sequence_coefficients`)
    and reduces them on the go, chunk by chunk, to per-neuron statistics: the
    range and mean of the time constant `tau`, and the mean conductance of
    every recurrent and sensory synapse. Only one chunk of
    `(batch_size, time_chunk, units, units)` conductances is held at a time.
    With the leak parameters and the synapses' polarities, the result tells
    per neuron how fast it is, what it leaks towards, and which neurons and
    input features excite or inhibit it most; and per input feature which
    neurons it drives. Every step counts, padding included (no mask).

    Args:
        model: A Keras model with `keras.layers.RNN(BioSynLTCCell)` layers
            among its own layers, or such a layer (built).
        data: The model's inputs, `(batch, time, features)`.
        layer: Name of the BioSynLTC layer; may be omitted when there is one.
        top: How many inputs to list per neuron and polarity (and neurons
            per input feature).
        batch_size: Sequences per batch.
        time_chunk: Steps per chunk.

    Returns:
        A `CircuitDescription`: `print(it)` shows Markdown, `.to_dict()` is
        JSON-safe and `.plot(path)` draws the wiring with arrow width = mean
        conductance and colour = polarity.

    Example:

    ```python
    cell = BioSynLTCCell(wirings.AutoNCP(16, output_size=2, seed=1))
    model = keras.Sequential([keras.Input((20, 3)), keras.layers.RNN(cell)])
    description = describe(model, np.random.randn(8, 20, 3))
    print(description)                        # Markdown: neurons, then inputs
    description.tau_max.shape                 # (16,)
    description.plot("circuit.png")
    ```
    """
    top = check_int("top", top, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    time_chunk = check_int("time_chunk", time_chunk, minimum=1)
    rnn = select_layer(model, layer)
    cell = rnn.cell
    if not cell.built:
        raise ValueError(
            "describe needs a built BioSynLTC layer (its input dimension fixes the sensory "
            f"synapses). Call the model first. Received: unbuilt layer {rnn.name!r}"
        )
    data = _checked_data(model, data)
    runner = SequenceRunner(model, rnn, list(DESCRIBED_COEFFICIENTS))
    totals = _reduce(runner.chunks(runner.layer_inputs(data), batch_size, time_chunk))
    steps = totals["count"]
    polarity, sensory_polarity = cell.polarity()
    return CircuitDescription(
        layer=rnn.name,
        wiring=cell.wiring,
        roles=neuron_roles(cell.wiring),
        sequences=len(data),
        steps=steps,
        time_unit="time units" if cell.time_input else "steps",
        tau_min=totals["tau_min"],
        tau_mean=totals["tau"] / steps,
        tau_max=totals["tau_max"],
        cm=cell.cm.numpy().astype(np.float64),
        gleak=cell.gleak.numpy().astype(np.float64),
        vleak=cell.vleak.numpy().astype(np.float64),
        conductance=totals["conductance"] / steps,
        sensory_conductance=totals["sensory_conductance"] / steps,
        polarity=polarity.astype(np.int8),
        sensory_polarity=sensory_polarity.astype(np.int8),
        top=top,
        input_mixing=(
            cell.input_w.numpy().astype(np.float64) if cell.input_mapping == "dense" else None
        ),
    )


def _checked_data(model, data) -> np.ndarray:
    """`data` as a NumPy array of the model's input shape, or a one-line error."""
    return check_sequences(data, model_input_shape(model), "data")


def _reduce(chunks) -> dict:
    """Sums (float64), minimum and maximum over every step of every chunk."""
    totals = {"count": 0}
    for _, _, values in chunks:
        tau = values["tau"].astype(np.float64)
        low, high = tau.min(axis=(0, 1)), tau.max(axis=(0, 1))
        if totals["count"] == 0:
            totals.update(tau_min=low, tau_max=high)
            for name in DESCRIBED_COEFFICIENTS:
                totals[name] = 0.0
        else:
            totals["tau_min"] = np.minimum(totals["tau_min"], low)
            totals["tau_max"] = np.maximum(totals["tau_max"], high)
        for name in DESCRIBED_COEFFICIENTS:
            totals[name] = totals[name] + values[name].sum(axis=(0, 1), dtype=np.float64)
        totals["count"] += tau.shape[0] * tau.shape[1]
    return totals
