"""`BioSynLTCCell`'s default initial ranges and lower bounds.

The initializers of the neuron and synapse parameters when none is given, and
the smallest values the positivity constraints allow.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from keras_biosyn.initializers import LogUniform

# Default initial ranges. Those of leaks, slopes and midpoints are the LTC
# reference implementation's (`ncps`). Maximum conductances are drawn from
# U(0.01, 2) and divided by each neuron's number of incoming synapses, so a
# neuron's total conductance does not grow with its fan-in: with ncps' U(0.001,
# 1) a 32-neuron circuit starts with time constants near 0.05 steps and forgets
# at once. Capacitances are log-uniform over [0.5, 8], so with a total
# conductance near 1 the time constants spread from about half a step to
# several steps (0.1 drew U(0.4, 0.6): all near half a step, little memory).
# benchmarks/README.md has the comparisons across tasks.
DEFAULT_RANGES = {
    "cm": (0.5, 8.0),
    "gleak": (0.001, 1.0),
    "vleak": (-0.2, 0.2),
    "w": (0.01, 2.0),
    "sigma": (3.0, 8.0),
    "mu": (0.3, 0.8),
    "sensory_w": (0.01, 2.0),
    "sensory_sigma": (3.0, 8.0),
    "sensory_mu": (0.3, 0.8),
}
FAN_IN_SCALED = ("w", "sensory_w")
LOG_UNIFORM = ("cm",)
# Smallest capacitance and leak conductance: positive, and a normal float16.
MIN_CM = 1e-3
MIN_GLEAK = 1e-6


def default_initializer(name: str):
    """The default initializer of parameter `name` (`None` for fan-in scaled ones).

    `w` and `sensory_w` get `None`: their draw needs the graph, so `build`
    makes it. `cm` is log-uniform, the others uniform, over `DEFAULT_RANGES`.
    """
    if name in FAN_IN_SCALED:
        return None
    if name in LOG_UNIFORM:
        return LogUniform(*DEFAULT_RANGES[name])
    return keras.initializers.RandomUniform(*DEFAULT_RANGES[name])


def fan_in_uniform(adjacency, bounds):
    """U(bounds) divided by each postsynaptic neuron's number of incoming synapses."""
    fan_in = np.maximum(np.count_nonzero(adjacency, axis=0), 1).astype("float32")
    uniform = keras.initializers.RandomUniform(*bounds)

    def initializer(shape, dtype=None):
        return uniform(shape, dtype=dtype) / ops.convert_to_tensor(fan_in, dtype=dtype)

    return initializer
