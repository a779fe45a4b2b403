"""Pure maths of the biophysical-synapse LTC network, over `keras.ops`.

These functions hold no state and know nothing of Keras layers: the cell, the
coefficient API and the exporters all call them, so there is one source of
truth for the equations.
"""

from keras_biosyn.ops.ctrnn import ctrnn_drive, ctrnn_input_current
from keras_biosyn.ops.elapsed_time import substep_size
from keras_biosyn.ops.linear_system import COEFFICIENTS, linear_system
from keras_biosyn.ops.membrane import (
    CircuitParameters,
    derivative,
    membrane_drive,
    sensory_currents,
    sensory_drive,
)
from keras_biosyn.ops.synapses import (
    SynapseList,
    conductance,
    conductance_sums,
    folded_conductance_sums,
    folded_synapses,
    gather_synapses,
    mask_synapses,
    sparse_conductance_sums,
    synapse_activation,
    synapse_currents,
)

__all__ = [
    "COEFFICIENTS",
    "CircuitParameters",
    "SynapseList",
    "conductance",
    "conductance_sums",
    "ctrnn_drive",
    "ctrnn_input_current",
    "derivative",
    "folded_conductance_sums",
    "folded_synapses",
    "gather_synapses",
    "linear_system",
    "mask_synapses",
    "membrane_drive",
    "sensory_currents",
    "sensory_drive",
    "sparse_conductance_sums",
    "substep_size",
    "synapse_activation",
    "synapse_currents",
]
