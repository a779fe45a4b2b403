"""keras_biosyn: liquid time-constant cells with biophysical synapses for Keras 3.

The public API is what `__all__` lists; everything else is internal.
"""

from keras_biosyn import constraints, ops, solvers, wirings
from keras_biosyn.cells import BioSynLTCCell
from keras_biosyn.version import __version__

__all__ = [
    "BioSynLTCCell",
    "__version__",
    "constraints",
    "ops",
    "solvers",
    "wirings",
]
