"""The UCI Japanese Vowels speaker-recognition set, shipped inside the package.

Nine male speakers uttered the Japanese vowels /ae/; each utterance is a series
of 7 to 29 frames of 12 LPC cepstrum coefficients, and the task is to name the
speaker. 270 training and 370 test utterances. Provenance and licence:
`keras_biosyn/datasets/data/README.md`.
"""

from __future__ import annotations

from importlib import resources

import numpy as np

from keras_biosyn.datasets.splits import Split, classification_splits

NUM_CLASSES = 9
NUM_FEATURES = 12
MAX_LENGTH = 29


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
    return classification_splits(raw["train"], raw["test"], validation_fraction, seed, normalize)


def load_japanese_vowels_irregular(
    keep_probability: float = 0.6, validation_fraction: float = 0.2, seed: int = 0
) -> dict[str, Split]:
    """Japanese Vowels, irregularly sampled: frames dropped at random, elapsed time appended.

    Each frame is kept with probability `keep_probability` (at least 3 frames
    per utterance, drawn with a fixed seed per split), and the kept frames are
    packed to the front. A 13th feature holds the elapsed time since the
    previous kept frame, in frames (1 for the first), for
    `BioSynLTCCell(..., time_input=True)`; it is not standardised. Padding
    steps are all zero, elapsed time included.

    Example:

    >>> splits = load_japanese_vowels_irregular()
    >>> splits["train"].x.shape
    (216, 29, 13)
    """
    if not 0.0 < keep_probability <= 1.0:
        raise ValueError(
            f"Expected `keep_probability` in (0, 1]. Received: keep_probability={keep_probability}"
        )
    splits = load_japanese_vowels(validation_fraction=validation_fraction, seed=seed)
    return {
        name: _subsample(split, keep_probability, seed=seed + index)
        for index, (name, split) in enumerate(splits.items())
    }


def _subsample(split: Split, keep_probability: float, seed: int) -> Split:
    rng = np.random.default_rng(seed)
    x = np.zeros((*split.x.shape[:2], split.x.shape[2] + 1), dtype=np.float32)
    lengths = np.zeros_like(split.length)
    for i, n in enumerate(split.length):
        kept = np.flatnonzero(rng.random(n) < keep_probability)
        if len(kept) < 3:
            kept = np.sort(rng.choice(n, size=min(3, n), replace=False))
        elapsed = np.diff(kept, prepend=kept[0] - 1).astype(np.float32)
        x[i, : len(kept), :-1] = split.x[i, kept]
        x[i, : len(kept), -1] = elapsed
        lengths[i] = len(kept)
    return Split(x, lengths, split.y)
