"""Reading the circuit: the linear system with state-dependent coefficients.

`sequence_coefficients` evaluates the coefficients along whole sequences,
`CoefficientRecorder` records them during `fit` (`load_recording` reads a
recording back), `parameter_report` counts parameters, and
`keras_biosyn.interpretability.plots` draws them (matplotlib is an optional
extra).
"""

from keras_biosyn.interpretability import plots
from keras_biosyn.interpretability.layers import biosyn_layers, select_layer, select_layers
from keras_biosyn.interpretability.parameters import ParameterReport, parameter_report
from keras_biosyn.interpretability.recorder import CoefficientRecorder
from keras_biosyn.interpretability.recording import load_recording
from keras_biosyn.interpretability.sequence import sequence_coefficients

__all__ = [
    "CoefficientRecorder",
    "ParameterReport",
    "biosyn_layers",
    "load_recording",
    "parameter_report",
    "plots",
    "select_layer",
    "select_layers",
    "sequence_coefficients",
]
