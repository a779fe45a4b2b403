"""The package version: the single source read by setup.cfg and `keras_biosyn.__version__`."""

__version__ = "0.1.0"
