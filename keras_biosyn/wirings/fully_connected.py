"""The `FullyConnected` wiring: every neuron and every input reaches every neuron."""

from __future__ import annotations

import keras
import numpy as np

from keras_biosyn.wirings.wiring import EXCITATORY_PROBABILITY, Wiring, random_polarity


@keras.saving.register_keras_serializable(package="keras_biosyn")
class FullyConnected(Wiring):
    """All-to-all circuit, self-connections included.

    Every neuron has a synapse onto every neuron (itself included) and every
    input feature onto every neuron. Polarities are random: excitatory with
    probability 2/3, inhibitory otherwise.

    Args:
        units: Number of neurons.
        output_size: Number of output neurons (the first ones). Defaults to
            `units`.
        input_dim: Number of input features, or `None` to take it from the layer.
        seed: Integer seed of the polarities (`None` draws and stores one).

    Example:

    >>> wiring = FullyConnected(8, output_size=2, seed=1)
    >>> wiring.adjacency_matrix.shape
    (8, 8)
    >>> wiring.synapse_count
    64
    >>> wiring.sensory_adjacency(3).shape
    (3, 8)
    """

    def _generate_adjacency(self, rng: np.random.Generator) -> np.ndarray:
        shape = (self.units, self.units)
        return random_polarity(rng, shape, EXCITATORY_PROBABILITY)

    def _generate_sensory_adjacency(self, input_dim: int, rng: np.random.Generator) -> np.ndarray:
        shape = (input_dim, self.units)
        return random_polarity(rng, shape, EXCITATORY_PROBABILITY)
