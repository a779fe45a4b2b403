"""Recurrent cells built from LTC neurons."""

from keras_biosyn.cells.biosyn_ltc_cell import BioSynLTCCell
from keras_biosyn.cells.ctrnn_cell import CTRNNCell
from keras_biosyn.cells.wired_cell import WiredCell

__all__ = ["BioSynLTCCell", "CTRNNCell", "WiredCell"]
