"""Recurrent cells built from LTC neurons."""

from keras_biosyn.cells.biosyn_ltc_cell import BioSynLTCCell

__all__ = ["BioSynLTCCell"]
