"""The package version: the single source read by setup.cfg and `keras_biosyn.__version__`."""

__version__ = "0.2.0"
