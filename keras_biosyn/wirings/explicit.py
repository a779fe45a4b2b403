"""The `Explicit` wiring: a graph given by its two adjacency matrices."""

from __future__ import annotations

import keras
import numpy as np

from keras_biosyn.wirings.wiring import Wiring


@keras.saving.register_keras_serializable(package="keras_biosyn")
class Explicit(Wiring):
    """A circuit whose recurrent and sensory graphs are given as matrices.

    The wiring of a circuit that no generator draws, such as a pruned one
    (`keras_biosyn.pruning.prune`): both matrices travel in its config, so a
    cell built on it saves, loads and round-trips `get_config` with exactly
    that graph, and its synapse count (hence `synapse_layout="auto"`) follows
    the synapses that exist.

    Args:
        adjacency: Recurrent polarities `[pre, post]` in {-1, 0, 1}, shape
            `(units, units)` (nested lists or an array).
        sensory_adjacency: Sensory polarities `[input, post]` in {-1, 0, 1},
            shape `(input_dim, units)`.
        output_size: Number of output neurons (the first ones). Defaults to
            `units`.
        input_dim: Number of input features; must be
            `len(sensory_adjacency)` when given (it is read from it).
        seed: Unused (the graph is given); kept for the `Wiring` config.
        units: Number of neurons; must be `len(adjacency)` when given (it is
            read from it).

    Example:

    >>> wiring = Explicit([[1, 0], [-1, 1]], [[1, 1]], output_size=1)
    >>> wiring.synapse_count, wiring.sensory_synapse_count
    (3, 2)
    >>> Explicit.from_config(wiring.get_config()).adjacency_matrix.tolist()
    [[1, 0], [-1, 1]]
    """

    def __init__(
        self,
        adjacency,
        sensory_adjacency,
        output_size: int | None = None,
        input_dim: int | None = None,
        seed: int = 0,
        units: int | None = None,
    ):
        adjacency = _polarities("adjacency", adjacency)
        sensory = _polarities("sensory_adjacency", sensory_adjacency)
        count, inputs = adjacency.shape[0], sensory.shape[0]
        if adjacency.shape != (count, count) or sensory.shape[1:] != (count,):
            raise ValueError(
                "Expected `adjacency` of shape (units, units) and `sensory_adjacency` of "
                f"shape (input_dim, units). Received: adjacency of shape {adjacency.shape} "
                f"and sensory_adjacency of shape {sensory.shape}"
            )
        for name, value, size in (("units", units, count), ("input_dim", input_dim, inputs)):
            if value is not None and value != size:
                raise ValueError(
                    f"Expected `{name}` to equal {size}, read from the adjacency matrices. "
                    f"Received: {name}={value}"
                )
        super().__init__(count, output_size, input_dim=inputs, seed=seed)
        self._given = (adjacency, sensory)

    def _generate_adjacency(self, rng: np.random.Generator) -> np.ndarray:
        return self._given[0]

    def _generate_sensory_adjacency(self, input_dim: int, rng: np.random.Generator) -> np.ndarray:
        return self._given[1]

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "adjacency": self._given[0].tolist(),
            "sensory_adjacency": self._given[1].tolist(),
        }


def _polarities(name: str, values) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 2 or array.size == 0 or not np.isin(array, (-1, 0, 1)).all():
        raise ValueError(
            f"Expected `{name}` to be a non-empty 2D matrix of polarities in {{-1, 0, 1}}. "
            f"Received: {name} of shape {array.shape}"
        )
    return array.astype(np.int8)
