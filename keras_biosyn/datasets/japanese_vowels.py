"""The UCI Japanese Vowels speaker-recognition set, shipped inside the package.

Nine male speakers uttered the Japanese vowels /ae/; each utterance is a series
of 7 to 29 frames of 12 LPC cepstrum coefficients, and the task is to name the
speaker. 270 training and 370 test utterances. Provenance and licence:
`keras_biosyn/datasets/data/README.md`.
"""

from __future__ import annotations

from importlib import resources
from typing import NamedTuple

import numpy as np

NUM_CLASSES = 9
NUM_FEATURES = 12
MAX_LENGTH = 29


class Split(NamedTuple):
    """One split: padded sequences, their lengths and integer labels."""

    x: np.ndarray  # (samples, MAX_LENGTH, NUM_FEATURES) float32, zero padded
    length: np.ndarray  # (samples,) int32, valid steps of each sequence
    y: np.ndarray  # (samples,) int32 labels in [0, NUM_CLASSES)


def load_japanese_vowels(
    normalize: bool = True, validation_fraction: float = 0.2, seed: int = 0
) -> dict[str, Split]:
    """Loads the Japanese Vowels set as NumPy arrays.

    Sequences are zero padded at the end to 29 steps; use
    `keras.layers.Masking(0.0)` (padded steps are exactly zero in every
    feature) or the returned lengths.

    Args:
        normalize: Standardise each feature with the mean and standard
            deviation of the training split's valid (unpadded) steps.
        validation_fraction: Fraction of the training utterances, per speaker,
            held out as a `"validation"` split (0 for none).
        seed: Seed of the validation draw.

    Returns:
        A dict of `Split`s under `"train"`, `"validation"` (when
        `validation_fraction > 0`) and `"test"`.

    Example:

    >>> splits = load_japanese_vowels()
    >>> splits["train"].x.shape, splits["test"].x.shape
    ((216, 29, 12), (370, 29, 12))
    """
    if not 0.0 <= validation_fraction < 1.0:
        raise ValueError(
            "Expected `validation_fraction` in [0, 1). "
            f"Received: validation_fraction={validation_fraction}"
        )
    path = resources.files("keras_biosyn.datasets") / "data" / "japanese_vowels.npz"
    with resources.as_file(path) as file, np.load(file) as data:
        raw = {
            split: Split(
                data[f"x_{split}"].astype(np.float32),
                data[f"length_{split}"].astype(np.int32),
                data[f"y_{split}"].astype(np.int32),
            )
            for split in ("train", "test")
        }
    splits = {"test": raw["test"]}
    train = raw["train"]
    if validation_fraction > 0:
        rng = np.random.default_rng(seed)
        held = np.zeros(len(train.y), dtype=bool)
        for label in range(NUM_CLASSES):
            members = np.flatnonzero(train.y == label)
            count = round(len(members) * validation_fraction)
            held[rng.choice(members, size=count, replace=False)] = True
        splits["validation"] = Split(*(a[held] for a in train))
        train = Split(*(a[~held] for a in train))
    splits["train"] = train
    if normalize:
        valid = _valid_steps(train)
        mean = train.x[valid].mean(axis=0)
        std = train.x[valid].std(axis=0)
        splits = {name: _standardize(split, mean, std) for name, split in splits.items()}
    return {name: splits[name] for name in ("train", "validation", "test") if name in splits}


def _valid_steps(split: Split) -> np.ndarray:
    return np.arange(split.x.shape[1])[None, :] < split.length[:, None]


def _standardize(split: Split, mean, std) -> Split:
    x = np.where(_valid_steps(split)[..., None], (split.x - mean) / std, 0.0)
    return split._replace(x=x.astype(np.float32))
