"""Datasets that work offline: real time series shipped with the package."""

from keras_biosyn.datasets.japanese_vowels import Split, load_japanese_vowels

__all__ = ["Split", "load_japanese_vowels"]
