"""Pure maths of the biophysical-synapse LTC network, over `keras.ops`.

These functions hold no state and know nothing of Keras layers: the cell, the
coefficient API and the exporters all call them, so there is one source of
truth for the equations.
"""

from keras_biosyn.ops.membrane import (
    CircuitParameters,
    derivative,
    membrane_drive,
    sensory_drive,
)
from keras_biosyn.ops.synapses import conductance, conductance_sums, synapse_activation

__all__ = [
    "CircuitParameters",
    "conductance",
    "conductance_sums",
    "derivative",
    "membrane_drive",
    "sensory_drive",
    "synapse_activation",
]
