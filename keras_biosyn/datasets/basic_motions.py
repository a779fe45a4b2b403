"""UEA BasicMotions: activity recognition from a wrist-worn smartwatch (6 channels)."""

from __future__ import annotations

import numpy as np

from keras_biosyn.datasets.sources import package_path
from keras_biosyn.datasets.splits import Split, classification_splits
from keras_biosyn.datasets.ts_format import pad, read_ts

CLASSES = ("standing", "walking", "running", "badminton")
NUM_FEATURES = 6
LENGTH = 100


def load_basic_motions(
    normalize: bool = True, validation_fraction: float = 0.25, seed: int = 0
) -> dict[str, Split]:
    """Loads BasicMotions: 4 activities from 3-axis accelerometer and gyroscope, 10 Hz.

    Source: the UEA multivariate time-series classification archive
    (Bagnall et al., 2018, arXiv:1811.00075), collected by students at the
    University of East Anglia; read from the `.ts` files shipped in the
    `sktime` wheel (the `datasets` extra), never downloaded. The archive
    publishes the data for research without a formal licence; keras_biosyn
    does not redistribute it. 40 training and 40 test series of 100 steps ×
    6 channels, 10 per class in each split.

    Args:
        normalize: Standardise each channel with training statistics only.
        validation_fraction: Fraction of the training series, per class, held
            out as `"validation"` (0 for none).
        seed: Seed of the validation draw.

    Returns:
        A dict of `Split`s (`"train"`, `"validation"`, `"test"`), labels 0–3
        in the order of `CLASSES`.
    """
    directory = package_path("sktime", "datasets", "data", "BasicMotions")
    splits = {}
    for name, file in (("train", "TRAIN"), ("test", "TEST")):
        series, labels = read_ts(directory / f"BasicMotions_{file}.ts")
        x, lengths = pad(series)
        y = np.array([CLASSES.index(label.lower()) for label in labels], dtype=np.int32)
        splits[name] = Split(x, lengths, y)
    return classification_splits(
        splits["train"], splits["test"], validation_fraction, seed, normalize
    )
