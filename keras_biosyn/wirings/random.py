"""The `Random` wiring: a fixed fraction of all possible synapses, chosen at random."""

from __future__ import annotations

import keras
import numpy as np

from keras_biosyn.utils.validation import check_float
from keras_biosyn.wirings.wiring import EXCITATORY_PROBABILITY, Wiring, random_polarity


@keras.saving.register_keras_serializable(package="keras_biosyn")
class Random(Wiring):
    """Sparse random circuit with an exact synapse count.

    Of the `units * units` possible recurrent synapses exactly
    `round(units * units * (1 - sparsity))` exist, and of the
    `input_dim * units` sensory ones exactly
    `round(input_dim * units * (1 - sparsity))`, chosen uniformly at random.
    Polarities are excitatory with probability 2/3.

    Args:
        units: Number of neurons.
        output_size: Number of output neurons (the first ones). Defaults to
            `units`.
        sparsity: Fraction of absent synapses, in `[0, 1)`.
        input_dim: Number of input features, or `None` to take it from the layer.
        seed: Integer seed of the graph (`None` draws and stores one).

    Example:

    >>> wiring = Random(10, output_size=2, sparsity=0.75, seed=3)
    >>> wiring.synapse_count  # round(10 * 10 * 0.25)
    25
    """

    def __init__(
        self,
        units: int,
        output_size: int | None = None,
        sparsity: float = 0.5,
        input_dim: int | None = None,
        seed: int | None = None,
    ):
        super().__init__(units, output_size=output_size, input_dim=input_dim, seed=seed)
        self.sparsity = check_float("sparsity", sparsity, 0.0, 1.0, max_inclusive=False)

    def _sample(self, shape, rng):
        size = shape[0] * shape[1]
        count = int(np.round(size * (1.0 - self.sparsity)))
        flat = np.zeros(size, dtype=np.int8)
        chosen = rng.choice(size, size=count, replace=False)
        flat[chosen] = random_polarity(rng, count, EXCITATORY_PROBABILITY)
        return flat.reshape(shape)

    def _generate_adjacency(self, rng: np.random.Generator) -> np.ndarray:
        return self._sample((self.units, self.units), rng)

    def _generate_sensory_adjacency(self, input_dim: int, rng: np.random.Generator) -> np.ndarray:
        return self._sample((input_dim, self.units), rng)

    def get_config(self) -> dict:
        return {**super().get_config(), "sparsity": self.sparsity}
