"""Which synapses to keep, and what a pruned graph leaves disconnected."""

from __future__ import annotations

import numpy as np


def synapse_total(adjacency, sensory_adjacency) -> int:
    """Number of existing recurrent plus sensory synapses.

    Example:

    >>> synapse_total([[1, 0], [-1, 1]], [[1, 0]])
    4
    """
    return int(np.count_nonzero(adjacency) + np.count_nonzero(sensory_adjacency))


def keep_count(keep: float, total: int) -> int:
    """How many of `total` synapses a fraction `keep` keeps: `round(keep * total)`, at least 1.

    Example:

    >>> keep_count(0.3, 10), keep_count(0.01, 10)
    (3, 1)
    """
    return max(1, min(total, round(keep * total)))


def strongest_synapses(
    scores, adjacency, sensory_adjacency, count: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the `count` existing synapses with the highest scores, both kinds ranked together.

    Ties are broken at random (from `seed`), so that synapses of equal score
    (e.g. all zero) are not removed in index order.

    Args:
        scores: `(recurrent, sensory)` scores, shaped like the adjacencies.
        adjacency: Recurrent polarities `[pre, post]` (0 = absent).
        sensory_adjacency: Sensory polarities `[input, post]`.
        count: Number of synapses to keep (at most the number existing).
        seed: Seed of the tie-break.

    Returns:
        `(recurrent, sensory)` boolean masks, True where a synapse is kept.

    Example:

    >>> keep, _ = strongest_synapses(
    ...     (np.array([[3.0, 1.0], [2.0, 0.0]]), np.zeros((1, 2))),
    ...     np.ones((2, 2)), np.zeros((1, 2)), count=2)
    >>> keep.tolist()
    [[True, False], [True, False]]
    """
    exists = [np.asarray(adjacency) != 0, np.asarray(sensory_adjacency) != 0]
    flat_scores = np.concatenate([np.ravel(s) for s in scores]).astype(np.float64)
    flat_exists = np.concatenate([np.ravel(e) for e in exists])
    candidates = np.flatnonzero(flat_exists)
    tie_break = np.random.default_rng(seed).random(len(candidates))
    order = np.lexsort((tie_break, -flat_scores[candidates]))
    kept = np.zeros_like(flat_exists)
    kept[candidates[order[:count]]] = True
    split = exists[0].size
    return kept[:split].reshape(exists[0].shape), kept[split:].reshape(exists[1].shape)


def disconnected_neurons(adjacency, sensory_adjacency, output_size: int) -> dict[str, list[int]]:
    """Neurons a graph leaves without inputs or without outputs.

    A neuron is without inputs when no input feature and no other neuron has a
    synapse onto it (a self-synapse does not count), and without outputs when
    it is not an output neuron (index `>= output_size`) and has no synapse onto
    another neuron. Such neurons carry nothing from the inputs to the outputs.

    Args:
        adjacency: Recurrent polarities `[pre, post]`.
        sensory_adjacency: Sensory polarities `[input, post]`.
        output_size: Number of output neurons (the first ones).

    Returns:
        A dict: `"without_inputs"`, `"without_outputs"` and `"isolated"` (either),
        each a sorted list of neuron indices.

    Example:

    >>> disconnected_neurons([[1, 1, 0], [0, 0, 0], [0, 0, 1]], [[1, 0, 0]], 1)
    {'without_inputs': [2], 'without_outputs': [1, 2], 'isolated': [1, 2]}
    """
    connected = np.asarray(adjacency) != 0
    others = connected & ~np.eye(len(connected), dtype=bool)
    receives = others.any(axis=0) | (np.asarray(sensory_adjacency) != 0).any(axis=0)
    sends = others.any(axis=1) | (np.arange(len(connected)) < output_size)
    without_inputs = np.flatnonzero(~receives).tolist()
    without_outputs = np.flatnonzero(~sends).tolist()
    return {
        "without_inputs": without_inputs,
        "without_outputs": without_outputs,
        "isolated": sorted(set(without_inputs) | set(without_outputs)),
    }


def unreachable_neurons(adjacency, output_size: int) -> list[int]:
    """Neurons from which no chain of synapses leads to an output neuron.

    The outputs of a cell are its first `output_size` neurons. A neuron that
    reaches none of them, directly or through other neurons, cannot change
    any output, so removing it (with its synapses) leaves the model's outputs
    exactly as they were. Output neurons are always reachable.

    Args:
        adjacency: Recurrent polarities `[pre, post]` (0 = absent).
        output_size: Number of output neurons (the first ones).

    Returns:
        The sorted indices of the unreachable neurons.

    Example:

    >>> unreachable_neurons([[1, 0, 0], [1, 0, 0], [0, 1, 1]], 1)  # 2 -> 1 -> 0
    []
    >>> unreachable_neurons([[1, 0, 0], [0, 0, 1], [0, 1, 0]], 1)  # 1 <-> 2 only
    [1, 2]
    """
    connected = np.asarray(adjacency) != 0
    reached = np.arange(len(connected)) < output_size
    while True:
        # a neuron reaches an output when one of its targets does
        grown = reached | (connected & reached[None, :]).any(axis=1)
        if (grown == reached).all():
            return np.flatnonzero(~reached).tolist()
        reached = grown
