"""Pure maths of the biophysical-synapse LTC network, over `keras.ops`.

These functions hold no state and know nothing of Keras layers: the cell, the
coefficient API and the exporters all call them, so there is one source of
truth for the equations.
"""

from keras_biosyn.ops.linear_system import COEFFICIENTS, linear_system
from keras_biosyn.ops.membrane import (
    CircuitParameters,
    derivative,
    membrane_drive,
    sensory_drive,
)
from keras_biosyn.ops.synapses import (
    SynapseList,
    conductance,
    conductance_sums,
    sparse_conductance_sums,
    synapse_activation,
)

__all__ = [
    "COEFFICIENTS",
    "CircuitParameters",
    "SynapseList",
    "conductance",
    "conductance_sums",
    "derivative",
    "linear_system",
    "membrane_drive",
    "sensory_drive",
    "sparse_conductance_sums",
    "synapse_activation",
]
