"""How much each synapse carries on a dataset: its conductance and current, reduced chunk by chunk.

At every step the coefficient code (`SequenceRunner`, the cell's
`call_with_coefficients`) gives the conductance `G[pre, post]` of each
recurrent synapse and `Gs[input, post]` of each sensory synapse at the state
`v` entering the step; the current a synapse injects is
`G * (erev - v[post])`. `synapse_importance` reduces both over a dataset with
running sums, one chunk of `(batch_size, time_chunk)` steps at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from keras_biosyn.interpretability.layer_selection import select_layer
from keras_biosyn.interpretability.sequence import STATE, SequenceRunner
from keras_biosyn.pruning.data import split_data
from keras_biosyn.utils.validation import check_int

IMPORTANCES = ("current", "conductance", "magnitude", "random")


@dataclass(frozen=True)
class SynapseStatistics:
    """Statistics of one kind of synapse over every step of a dataset.

    Each array is indexed `[pre, post]` (recurrent, `(units, units)`) or
    `[input, post]` (sensory, `(input_dim, units)`); absent synapses hold 0.

    Attributes:
        mean_abs_current: Mean of `|G * (erev - v[post])|`.
        mean_current: Mean of `G * (erev - v[post])` (signed: > 0 depolarises).
        max_abs_current: Largest `|G * (erev - v[post])|`.
        mean_conductance: Mean of `G`.
        max_conductance: Largest `G`.
    """

    mean_abs_current: np.ndarray
    mean_current: np.ndarray
    max_abs_current: np.ndarray
    mean_conductance: np.ndarray
    max_conductance: np.ndarray


@dataclass(frozen=True)
class SynapseImportance:
    """What each synapse of a BioSynLTC layer carries on a dataset (`synapse_importance`).

    Attributes:
        layer: Name of the layer.
        recurrent: `SynapseStatistics` of the recurrent synapses `[pre, post]`.
        sensory: `SynapseStatistics` of the sensory synapses `[input, post]`.
        adjacency: The layer's recurrent polarities when measured (0 = absent).
        sensory_adjacency: Its sensory polarities.
        steps: Number of steps averaged over (sequences x time steps).
    """

    layer: str
    recurrent: SynapseStatistics
    sensory: SynapseStatistics
    adjacency: np.ndarray
    sensory_adjacency: np.ndarray
    steps: int

    def scores(self, importance: str = "current") -> tuple[np.ndarray, np.ndarray]:
        """`(recurrent, sensory)` scores: mean |current| or mean conductance, 0 if absent.

        Args:
            importance: `"current"` (mean `|G * (erev - v)|`) or `"conductance"`
                (mean `G`).

        Returns:
            Two float64 arrays, `(units, units)` and `(input_dim, units)`.

        Example:

        ```python
        recurrent, sensory = synapse_importance(model, x).scores("current")
        ```
        """
        if importance not in ("current", "conductance"):
            raise ValueError(
                "Expected `importance` to be 'current' or 'conductance'. "
                f"Received: importance={importance!r}"
            )
        field = "mean_abs_current" if importance == "current" else "mean_conductance"
        return getattr(self.recurrent, field), getattr(self.sensory, field)


def synapse_importance(
    model,
    data,
    layer: str | None = None,
    batch_size: int = 64,
    time_chunk: int = 256,
) -> SynapseImportance:
    """Statistics of every synapse's conductance and current over a dataset.

    Runs the model's layers before the BioSynLTC layer, then the layer step by
    step through the coefficient code (the conductances at the state entering
    each step, as `sequence_coefficients` gives them) and reduces them into
    running sums and maxima, one chunk of `batch_size` sequences by
    `time_chunk` steps at a time: memory holds one chunk's
    `(batch_size, time_chunk, units, units)` conductances, never the whole
    dataset's. Every step counts (masks and padding are not applied), as in
    `sequence_coefficients`.

    Args:
        model: A Keras model with a `keras.layers.RNN(BioSynLTCCell)` among
            its own layers.
        data: The model's inputs `(batch, time, features)`, or a tuple
            `(inputs, labels)` (the labels are not used).
        layer: Name of the BioSynLTC layer; may be omitted when there is one.
        batch_size: Sequences per chunk.
        time_chunk: Steps per chunk (the state is carried across chunks).

    Returns:
        A `SynapseImportance`.

    Example:

    ```python
    model = keras.Sequential([keras.Input((20, 3)), keras.layers.RNN(BioSynLTCCell(8))])
    importance = synapse_importance(model, np.random.randn(16, 20, 3))
    importance.recurrent.mean_abs_current.shape      # (8, 8) [pre, post]
    importance.sensory.max_conductance.shape         # (3, 8) [input, post]
    ```
    """
    check_int("batch_size", batch_size, minimum=1)
    check_int("time_chunk", time_chunk, minimum=1)
    rnn = select_layer(model, layer)
    inputs, _ = split_data(data, model)
    cell = rnn.cell
    runner = SequenceRunner(model, rnn, ["conductance", "sensory_conductance", STATE])
    sequences = runner.layer_inputs(inputs)
    reversal = {
        "conductance": np.asarray(cell.erev.numpy(), dtype=np.float64),
        "sensory_conductance": np.asarray(cell.sensory_erev.numpy(), dtype=np.float64),
    }
    sums = {name: _Reduction(values.shape) for name, values in reversal.items()}
    steps = 0
    for _, _, values in runner.chunks(sequences, batch_size, time_chunk):
        state = values[STATE].astype(np.float64)[:, :, None, :]  # v[post]
        for name, reduction in sums.items():
            conductance = values[name].astype(np.float64)
            reduction.add(conductance, conductance * (reversal[name] - state))
        steps += int(np.prod(values[STATE].shape[:2]))
    return SynapseImportance(
        layer=rnn.name,
        recurrent=sums["conductance"].statistics(steps),
        sensory=sums["sensory_conductance"].statistics(steps),
        adjacency=np.asarray(cell.adjacency.numpy()),
        sensory_adjacency=np.asarray(cell.sensory_adjacency.numpy()),
        steps=steps,
    )


class _Reduction:
    """Running sums and maxima of conductances and currents `(batch, time, J, I)`."""

    def __init__(self, shape):
        self.values = {
            key: np.zeros(shape)
            for key in ("abs_current", "current", "max_abs_current", "conductance", "max_g")
        }

    def add(self, conductance, current):
        values = self.values
        values["abs_current"] += np.abs(current).sum(axis=(0, 1))
        values["current"] += current.sum(axis=(0, 1))
        values["max_abs_current"] = np.maximum(
            values["max_abs_current"], np.abs(current).max(axis=(0, 1))
        )
        values["conductance"] += conductance.sum(axis=(0, 1))
        values["max_g"] = np.maximum(values["max_g"], conductance.max(axis=(0, 1)))

    def statistics(self, steps: int) -> SynapseStatistics:
        values, count = self.values, max(steps, 1)
        return SynapseStatistics(
            mean_abs_current=values["abs_current"] / count,
            mean_current=values["current"] / count,
            max_abs_current=values["max_abs_current"],
            mean_conductance=values["conductance"] / count,
            max_conductance=values["max_g"],
        )


def importance_scores(
    model,
    data,
    importance: str = "current",
    layer: str | None = None,
    seed: int = 0,
    batch_size: int = 64,
    time_chunk: int = 256,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-synapse scores to rank synapses by, for one of `IMPORTANCES`.

    `"current"`: mean `|G * (erev - v)|` on `data`; `"conductance"`: mean `G`
    on `data`; `"magnitude"`: the maximum conductance weights `|w|` and
    `|sensory_w|` (no data needed); `"random"`: uniform draws from `seed` (a
    baseline). Absent synapses score 0.

    Args:
        model: A Keras model with a BioSynLTC layer.
        data: The model's inputs, or `(inputs, labels)`.
        importance: One of `IMPORTANCES`.
        layer: Name of the BioSynLTC layer; may be omitted when there is one.
        seed: Seed of `"random"`.
        batch_size: Sequences per chunk (`"current"`, `"conductance"`).
        time_chunk: Steps per chunk.

    Returns:
        `(recurrent, sensory)` float64 arrays `(units, units)` and
        `(input_dim, units)`.

    Example:

    ```python
    recurrent, sensory = importance_scores(model, x, "magnitude")
    ```
    """
    if importance not in IMPORTANCES:
        raise ValueError(
            f"Expected `importance` to be one of {list(IMPORTANCES)}. "
            f"Received: importance={importance!r}"
        )
    if importance in ("current", "conductance"):
        measured = synapse_importance(model, data, layer, batch_size, time_chunk)
        return measured.scores(importance)
    cell = select_layer(model, layer).cell
    masks = (np.abs(cell.adjacency.numpy()), np.abs(cell.sensory_adjacency.numpy()))
    if importance == "magnitude":
        weights = (np.abs(cell.w.numpy()), np.abs(cell.sensory_w.numpy()))
    else:
        rng = np.random.default_rng(seed)
        weights = (rng.random(masks[0].shape), rng.random(masks[1].shape))
    return tuple(np.asarray(w, np.float64) * (m != 0) for w, m in zip(weights, masks, strict=True))
