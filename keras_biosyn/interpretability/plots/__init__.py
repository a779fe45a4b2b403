"""Figures of the circuit and its coefficients (matplotlib is an optional extra).

Every function returns a `matplotlib.figure.Figure` built without `pyplot`,
so no GUI backend or global figure state is involved, and saves it as a PNG
when `path` is given. Install matplotlib with `pip install "keras-biosyn[plots]"`.

One module per family of figures:
- `coefficients`: `tau` and `b` along a sequence, conductance matrices;
- `wiring`: the circuit's neurons and synapses, coloured by polarity;
- `trajectories`: a coefficient during training, from a recording;
- `figures`: what they share (matplotlib import, path check, saving).
"""

from keras_biosyn.interpretability.plots.coefficients import (
    plot_coefficients_over_time,
    plot_conductance_matrices,
)
from keras_biosyn.interpretability.plots.figures import DEFAULT_NEURONS
from keras_biosyn.interpretability.plots.trajectories import plot_training_trajectories
from keras_biosyn.interpretability.plots.wiring import (
    EXCITATORY_COLOR,
    INHIBITORY_COLOR,
    plot_wiring,
)

__all__ = [
    "DEFAULT_NEURONS",
    "EXCITATORY_COLOR",
    "INHIBITORY_COLOR",
    "plot_coefficients_over_time",
    "plot_conductance_matrices",
    "plot_training_trajectories",
    "plot_wiring",
]
