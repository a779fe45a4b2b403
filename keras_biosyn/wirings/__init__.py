"""Circuit wirings: which synapses exist between inputs and neurons, and their polarity."""

from keras_biosyn.wirings.explicit import Explicit
from keras_biosyn.wirings.fully_connected import FullyConnected
from keras_biosyn.wirings.ncp import NCP, AutoNCP
from keras_biosyn.wirings.random import Random
from keras_biosyn.wirings.wiring import Wiring

__all__ = ["NCP", "AutoNCP", "Explicit", "FullyConnected", "Random", "Wiring"]
