"""`prune`: a smaller copy of a model, its weakest synapses removed."""

from __future__ import annotations

from dataclasses import dataclass, field

import keras
import numpy as np

from keras_biosyn.interpretability.layer_selection import select_layer
from keras_biosyn.interpretability.parameters import parameter_report
from keras_biosyn.pruning.data import split_data
from keras_biosyn.pruning.graph import (
    disconnected_neurons,
    keep_count,
    strongest_synapses,
    synapse_total,
    unreachable_neurons,
)
from keras_biosyn.pruning.importance import IMPORTANCES, importance_scores
from keras_biosyn.pruning.rebuild import with_graph, without_neurons
from keras_biosyn.pruning.score import Score, evaluate_score
from keras_biosyn.utils.validation import check_choice, check_float, check_int

FINE_TUNE_KEYS = ("epochs", "data", "rounds", "batch_size", "factor")
# Rounds of prune -> fit: with `keep`, the fraction goes to `keep` geometrically over
# this many rounds; with `max_drop`, at most this many rounds of `factor` each.
DEFAULT_ROUNDS = {"keep": 3, "max_drop": 10}
DEFAULT_FACTOR = 0.7


@dataclass
class PruneResult:
    """What `prune` made and measured.

    Attributes:
        model: The pruned model (new and independent of the given one).
        layer: Name of the pruned BioSynLTC layer.
        importance: How synapses were ranked.
        synapses_before: Recurrent plus sensory synapses before pruning.
        synapses_after: Those left.
        recurrent_synapses: `(before, after)` recurrent synapses.
        sensory_synapses: `(before, after)` sensory synapses.
        parameters_before: Active parameters of the layer before
            (`keras_biosyn.interpretability.parameter_report`).
        parameters_after: Those left.
        synapse_layout: The layout the pruned cell computes in (`"dense"` or
            `"sparse"`, picked by the remaining density with `"auto"`).
        score_before: The `Score` of the model on `data` before pruning, or
            `None` without labels or compile config.
        score_after: The pruned model's score on `data`, or `None`.
        neurons_without_inputs: Neurons no input and no other neuron reaches.
        neurons_without_outputs: Non-output neurons that reach no other neuron.
        isolated_neurons: Either of the two (sorted).
        units: `(before, after)` neurons of the layer.
        removed_neurons: Neurons removed because no chain of synapses led
            from them to an output neuron (`unreachable_neurons`), with their
            synapses; the outputs are exactly those of the pruned graph with
            them. Indices here and in the three lists above are those of the
            given model.
        rounds: One dict per prune step: `synapses`, `keep` and `score` (or `None`).
    """

    model: keras.Model
    layer: str
    importance: str
    synapses_before: int
    synapses_after: int
    recurrent_synapses: tuple[int, int]
    sensory_synapses: tuple[int, int]
    parameters_before: int
    parameters_after: int
    synapse_layout: str
    score_before: Score | None
    score_after: Score | None
    neurons_without_inputs: list[int]
    neurons_without_outputs: list[int]
    isolated_neurons: list[int]
    units: tuple[int, int]
    removed_neurons: list[int]
    rounds: list[dict] = field(default_factory=list)

    @property
    def keep(self) -> float:
        """The fraction of synapses kept."""
        return self.synapses_after / self.synapses_before

    def to_dict(self) -> dict:
        """Everything but the model, as JSON-ready values."""

        def score(value):
            return None if value is None else vars(value).copy()

        return {
            "layer": self.layer,
            "importance": self.importance,
            "synapses_before": self.synapses_before,
            "synapses_after": self.synapses_after,
            "keep": self.keep,
            "recurrent_synapses": list(self.recurrent_synapses),
            "sensory_synapses": list(self.sensory_synapses),
            "parameters_before": self.parameters_before,
            "parameters_after": self.parameters_after,
            "synapse_layout": self.synapse_layout,
            "score_before": score(self.score_before),
            "score_after": score(self.score_after),
            "neurons_without_inputs": self.neurons_without_inputs,
            "neurons_without_outputs": self.neurons_without_outputs,
            "isolated_neurons": self.isolated_neurons,
            "units": list(self.units),
            "removed_neurons": self.removed_neurons,
            "rounds": self.rounds,
        }


def prune(
    model: keras.Model,
    data,
    keep: float | None = None,
    max_drop: float | None = None,
    layer: str | None = None,
    fine_tune=None,
    importance: str = "current",
    seed: int = 0,
    batch_size: int = 64,
    time_chunk: int = 256,
    remove_neurons: bool = True,
) -> PruneResult:
    """A new model whose weakest synapses are removed.

    Synapses are ranked by `importance`, recurrent and sensory together, and
    the weakest are removed by zeroing their entries of the cell's
    `adjacency` and `sensory_adjacency` (and their `w`, `sensory_w`). The
    pruned cell is rebuilt on a `keras_biosyn.wirings.Explicit` wiring of the
    remaining graph, so `synapse_layout="auto"` picks the sparse layout again
    by the remaining density, and the model saves, loads and exports like any
    other. Neurons from which no chain of synapses is left to an output
    neuron cannot change the outputs; with `remove_neurons` they are removed
    with their synapses (so the kept fraction may end below `keep`), which
    shrinks every per-neuron computation. The given model is never modified.

    Exactly one of `keep` and `max_drop` says how far to prune:

    - `keep`: the fraction of the existing synapses to keep
      (`round(keep * count)`, at least 1).
    - `max_drop`: prune as far as the score on `data` drops by at most
      `max_drop` (absolute, in the score's units). The score is the model's
      first compiled metric (e.g. accuracy, better higher when its name says
      accuracy, AUC, precision, recall, F1, R2 or IoU, else better lower),
      or its loss (better lower) when it has no metric; see
      `keras_biosyn.pruning.evaluate_score`. Without fine-tuning the number
      of synapses is found by bisection (the score assumed to fall as
      synapses go); with it, by rounds of `factor` until the next would
      drop too much.

    With `fine_tune`, pruning is iterative: each round re-measures the
    importance on the current weights, prunes, and fits for `epochs` epochs
    (a fresh optimizer from the model's compile config).

    Args:
        model: A compiled (for `max_drop` and `fine_tune`) functional or
            Sequential Keras model with a `keras.layers.RNN(BioSynLTCCell)`.
        data: The model's inputs `(batch, time, features)`, or a tuple
            `(inputs, labels)`; the importance is measured on the inputs, the
            score (when labels are given and the model is compiled) on both.
        keep: Fraction of synapses to keep, in (0, 1].
        max_drop: Largest score drop allowed, >= 0.
        layer: Name of the BioSynLTC layer; may be omitted when there is one.
        fine_tune: `None`, a number of epochs, or a dict with `epochs`
            (required), `data` (`(inputs, labels)` to fit on; default `data`),
            `rounds` (default 3 with `keep`, at most 10 with `max_drop`),
            `batch_size` (default 32) and `factor` (`max_drop`: the fraction
            kept per round, default 0.7).
        importance: `"current"` (mean `|G * (erev - v)|` on `data`),
            `"conductance"` (mean `G`), `"magnitude"` (`|w|`, no data) or
            `"random"` (a baseline, from `seed`).
        seed: Seed of the tie-break and of `"random"`.
        batch_size: Sequences per chunk of the importance and `evaluate`.
        time_chunk: Steps per chunk of the importance.
        remove_neurons: Remove the neurons that no longer reach an output
            neuron (exact: the outputs do not change).

    Returns:
        A `PruneResult`; `.model` is the pruned model.

    Example:

    ```python
    result = prune(model, (x_test, y_test), keep=0.3)
    result.synapses_after / result.synapses_before     # 0.3
    result.score_before.value, result.score_after.value
    result.model.save("pruned.keras")
    ```
    """
    if (keep is None) == (max_drop is None):
        raise ValueError(
            "Expected exactly one of `keep` and `max_drop`. "
            f"Received: keep={keep!r}, max_drop={max_drop!r}"
        )
    if keep is not None:
        keep = check_float("keep", keep, 0.0, 1.0, min_inclusive=False)
    else:
        max_drop = check_float("max_drop", max_drop, 0.0)
    check_choice("importance", importance, IMPORTANCES)
    check_int("seed", seed, minimum=0)
    rnn = select_layer(model, layer)
    inputs, labels = split_data(data, model)
    options = fine_tune_options(fine_tune, data, "keep" if keep is not None else "max_drop")
    compiled = getattr(model, "compiled", False)
    if (max_drop is not None or options) and (labels is None or not compiled):
        need = "max_drop" if max_drop is not None else "fine_tune"
        raise ValueError(
            f"Expected a compiled model and data=(inputs, labels) with `{need}` (the score "
            f"and fine-tuning need the loss and the labels). Received: "
            f"{'a compiled' if compiled else 'an uncompiled'} model and "
            f"{'labels' if labels is not None else 'no labels'}"
        )
    cell = rnn.cell
    # The working copy computes densely, so changing its adjacency weight removes synapses.
    working = with_graph(
        model,
        cell.adjacency.numpy(),
        cell.sensory_adjacency.numpy(),
        layer=rnn.name,
        synapse_layout="dense",
    )
    pruner = _Pruner(working, rnn.name, inputs, labels, importance, seed, batch_size, time_chunk)
    before = pruner.graph()
    total = synapse_total(*before)
    score_before = pruner.score() if labels is not None and compiled else None
    if keep is not None:
        rounds = options.get("rounds", 1)
        for index in range(1, rounds + 1):
            pruner.prune_to(keep_count(keep ** (index / rounds), total))
            if options:
                pruner.fit(options)
    elif options:
        pruner.prune_by_rounds(score_before, max_drop, options, total)
    else:
        pruner.bisect(score_before, max_drop, total)

    after = pruner.graph()
    # Compiled like `model` (working was compiled from its config), with a fresh optimizer.
    pruned = with_graph(working, *after, layer=rnn.name, synapse_layout=cell.synapse_layout)
    disconnected = disconnected_neurons(*after, cell.output_size)
    removed = unreachable_neurons(after[0], cell.output_size) if remove_neurons else []
    if removed:
        pruned = without_neurons(pruned, removed, layer=rnn.name)
    new_cell = pruned.get_layer(rnn.name).cell
    after = (new_cell.adjacency.numpy(), new_cell.sensory_adjacency.numpy())
    return PruneResult(
        model=pruned,
        layer=rnn.name,
        importance=importance,
        synapses_before=total,
        synapses_after=synapse_total(*after),
        recurrent_synapses=(int(np.count_nonzero(before[0])), int(np.count_nonzero(after[0]))),
        sensory_synapses=(int(np.count_nonzero(before[1])), int(np.count_nonzero(after[1]))),
        parameters_before=parameter_report(cell).active_parameters,
        parameters_after=parameter_report(new_cell).active_parameters,
        synapse_layout=new_cell.resolved_synapse_layout,
        score_before=score_before,
        score_after=(
            evaluate_score(pruned, inputs, labels, batch_size)
            if score_before is not None
            else None
        ),
        neurons_without_inputs=disconnected["without_inputs"],
        neurons_without_outputs=disconnected["without_outputs"],
        isolated_neurons=disconnected["isolated"],
        units=(int(cell.adjacency.shape[0]), int(new_cell.adjacency.shape[0])),
        removed_neurons=removed,
        rounds=pruner.rounds,
    )


def fine_tune_options(fine_tune, data, target: str = "keep") -> dict:
    """`prune`'s `fine_tune` argument as a dict with every key set, or `{}` for `None`.

    Args:
        fine_tune: `None`, a number of epochs, or a dict of `FINE_TUNE_KEYS`.
        data: `prune`'s data, the default fitting data.
        target: `"keep"` or `"max_drop"` (their default `rounds` differ).

    Returns:
        A dict with `epochs`, `data`, `rounds`, `batch_size` and `factor`, or `{}`.

    Example:

    >>> fine_tune_options(2, ([[0.0]], [0]))["rounds"]
    3
    """
    if fine_tune is None:
        return {}
    if not isinstance(fine_tune, dict):
        fine_tune = {"epochs": fine_tune}
    unknown = sorted(set(fine_tune) - set(FINE_TUNE_KEYS))
    if unknown or "epochs" not in fine_tune:
        raise ValueError(
            f"Expected `fine_tune` to be a number of epochs or a dict with 'epochs' and "
            f"optionally {list(FINE_TUNE_KEYS[1:])}. Received: fine_tune={fine_tune!r}"
        )
    fit_data = fine_tune.get("data", data)
    if not isinstance(fit_data, (tuple, list)) or len(fit_data) != 2:
        raise ValueError(
            "Expected fine-tuning data as a tuple (inputs, labels). "
            f"Received: data of type {type(fit_data).__name__}"
        )
    return {
        "epochs": check_int("fine_tune['epochs']", fine_tune["epochs"], minimum=1),
        "data": fit_data,
        "rounds": check_int(
            "fine_tune['rounds']", fine_tune.get("rounds", DEFAULT_ROUNDS[target]), minimum=1
        ),
        "batch_size": check_int("fine_tune['batch_size']", fine_tune.get("batch_size", 32), 1),
        "factor": check_float(
            "fine_tune['factor']",
            fine_tune.get("factor", DEFAULT_FACTOR),
            0.0,
            1.0,
            min_inclusive=False,
            max_inclusive=False,
        ),
    }


class _Pruner:
    """The dense working copy being pruned, and the steps `prune` takes on it."""

    def __init__(self, model, layer, inputs, labels, importance, seed, batch_size, time_chunk):
        self.model, self.layer = model, layer
        self.cell = model.get_layer(layer).cell
        self.inputs, self.labels = inputs, labels
        self.importance, self.seed = importance, seed
        self.batch_size, self.time_chunk = batch_size, time_chunk
        self.rounds = []

    def graph(self) -> tuple[np.ndarray, np.ndarray]:
        return self.cell.adjacency.numpy(), self.cell.sensory_adjacency.numpy()

    def score(self) -> Score:
        return evaluate_score(self.model, self.inputs, self.labels, self.batch_size)

    def scores(self) -> tuple[np.ndarray, np.ndarray]:
        """The importance of every synapse, measured on the current weights."""
        return importance_scores(
            self.model,
            self.inputs,
            self.importance,
            self.layer,
            self.seed,
            self.batch_size,
            self.time_chunk,
        )

    def ranked(self, count: int) -> tuple[np.ndarray, np.ndarray]:
        """The graph of the `count` most important synapses (importance measured now)."""
        adjacency, sensory = self.graph()
        masks = strongest_synapses(self.scores(), adjacency, sensory, count, self.seed)
        return adjacency * masks[0], sensory * masks[1]

    def assign(self, graph):
        self.cell.adjacency.assign(graph[0])
        self.cell.sensory_adjacency.assign(graph[1])

    def prune_to(self, count: int, score: bool = False):
        self.assign(self.ranked(count))
        self.record(count, self.score() if score else None)

    def record(self, count, score):
        self.rounds.append({"synapses": count, "score": None if score is None else score.value})

    def fit(self, options):
        x, y = options["data"]
        self.model.fit(
            np.asarray(x), y, epochs=options["epochs"], batch_size=options["batch_size"], verbose=0
        )

    def bisect(self, before: Score, max_drop: float, total: int):
        """The fewest synapses (by one ranking) whose score drops by at most `max_drop`."""
        full = self.graph()
        scores = self.scores()
        low, high = 1, total
        while low < high:
            middle = (low + high) // 2
            masks = strongest_synapses(scores, *full, middle, self.seed)
            self.assign((full[0] * masks[0], full[1] * masks[1]))
            score = self.score()
            self.record(middle, score)
            if before.drop_to(score) <= max_drop:
                high = middle
            else:
                low = middle + 1
        masks = strongest_synapses(scores, *full, high, self.seed)
        self.assign((full[0] * masks[0], full[1] * masks[1]))

    def prune_by_rounds(self, before: Score, max_drop: float, options: dict, total: int):
        """Rounds of prune -> fit by `factor`, stopping before the one that drops too much."""
        count = total
        for _ in range(options["rounds"]):
            if count <= 1:
                break
            kept = [np.array(w) for w in self.model.get_weights()]
            count = keep_count(options["factor"] * count / total, total)
            self.assign(self.ranked(count))
            self.fit(options)
            score = self.score()
            self.record(count, score)
            if before.drop_to(score) > max_drop:
                self.model.set_weights(kept)
                break
