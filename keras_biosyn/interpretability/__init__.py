"""Reading the circuit: the linear system with state-dependent coefficients.

`sequence_coefficients` evaluates the coefficients along whole sequences,
`describe` reduces them over a dataset to a readable account of the circuit,
`CoefficientRecorder` records them during `fit` (`load_recording` reads a
recording back), `parameter_report` counts parameters, and
`keras_biosyn.interpretability.plots` draws them (matplotlib is an optional
extra).
"""

from keras_biosyn.interpretability import plots
from keras_biosyn.interpretability.describe import CircuitDescription, describe
from keras_biosyn.interpretability.layer_selection import (
    biosyn_layers,
    select_layer,
    select_layers,
)
from keras_biosyn.interpretability.parameters import ParameterReport, parameter_report
from keras_biosyn.interpretability.recorder import CoefficientRecorder
from keras_biosyn.interpretability.recording import load_recording
from keras_biosyn.interpretability.roles import neuron_roles
from keras_biosyn.interpretability.sequence import sequence_coefficients

__all__ = [
    "CircuitDescription",
    "CoefficientRecorder",
    "ParameterReport",
    "biosyn_layers",
    "describe",
    "load_recording",
    "neuron_roles",
    "parameter_report",
    "plots",
    "select_layer",
    "select_layers",
    "sequence_coefficients",
]
