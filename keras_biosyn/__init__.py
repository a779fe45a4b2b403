"""keras_biosyn: liquid time-constant cells with biophysical synapses for Keras 3.

The public API is what `__all__` lists; everything else is internal.
"""

from keras_biosyn import (
    constraints,
    control,
    distribute,
    initializers,
    interpretability,
    ops,
    pruning,
    solvers,
    wirings,
)
from keras_biosyn.cells import BioSynLTCCell, CTRNNCell
from keras_biosyn.interpretability import (
    CoefficientRecorder,
    parameter_report,
    sequence_coefficients,
)
from keras_biosyn.version import __version__

__all__ = [
    "BioSynLTCCell",
    "CTRNNCell",
    "CoefficientRecorder",
    "__version__",
    "constraints",
    "control",
    "distribute",
    "initializers",
    "interpretability",
    "ops",
    "parameter_report",
    "pruning",
    "sequence_coefficients",
    "solvers",
    "wirings",
]
