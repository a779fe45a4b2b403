"""Long univariate sequences of the UCR archive: OSULeaf (427 steps) and ACSF1 (1,460 steps)."""

from __future__ import annotations

import numpy as np

from keras_biosyn.datasets.sources import package_path
from keras_biosyn.datasets.splits import Split, classification_splits
from keras_biosyn.datasets.ts_format import pad, read_ts

__all__ = ["PROBLEMS", "load_acsf1", "load_osu_leaf"]

# name in the archive -> (series length, classes)
PROBLEMS = {"OSULeaf": (427, 6), "ACSF1": (1460, 10)}


def load_ucr(
    name: str, normalize: bool = True, validation_fraction: float = 0.25, seed: int = 0
) -> dict[str, Split]:
    """A UCR/UEA problem from the `.ts` files in the `sktime` wheel, as `Split`s.

    Labels are numbered in the order of their first appearance in the sorted
    label set of the training file; `normalize` standardises each channel with
    training statistics only.
    """
    directory = package_path("sktime", "datasets", "data", name)
    cases = {part: read_ts(directory / f"{name}_{part.upper()}.ts") for part in ("train", "test")}
    classes = sorted(set(cases["train"][1]), key=_label_order)
    splits = {}
    for part, (series, labels) in cases.items():
        x, lengths = pad(series)
        y = np.array([classes.index(label) for label in labels], dtype=np.int32)
        splits[part] = Split(x, lengths, y)
    return classification_splits(
        splits["train"], splits["test"], validation_fraction, seed, normalize
    )


def load_osu_leaf(
    normalize: bool = True, validation_fraction: float = 0.25, seed: int = 0
) -> dict[str, Split]:
    """Loads OSULeaf: 6 species of leaves from their outlines, 427 steps, univariate.

    Source: the UCR time-series classification archive (Dau et al., 2019,
    arXiv:1810.07758); leaf outlines from the MSc thesis "Content-Based Image
    Retrieval: Plant Species Identification" (A. Grandhi, Oregon State
    University). Read from the `.ts` files shipped in the `sktime` wheel (the
    `datasets` extra), never downloaded; published for research, not
    redistributed by keras_biosyn. 200 training and 242 test series.

    Args:
        normalize: Standardise with training statistics only.
        validation_fraction: Fraction of the training series, per class, held
            out as `"validation"` (0 for none).
        seed: Seed of the validation draw.

    Returns:
        A dict of `Split`s (`"train"`, `"validation"`, `"test"`), labels 0–5.

    Example:

    ```python
    splits = load_osu_leaf()
    splits["train"].x.shape                # (151, 427, 1)
    ```
    """
    return load_ucr("OSULeaf", normalize, validation_fraction, seed)


def load_acsf1(
    normalize: bool = True, validation_fraction: float = 0.25, seed: int = 0
) -> dict[str, Split]:
    """Loads ACSF1: 10 kinds of household appliance from a day of power use, 1,460 steps.

    Source: the UCR time-series classification archive (Dau et al., 2019,
    arXiv:1810.07758); the ACS-F1 appliance signatures (Gisler et al., 2013),
    one power reading every 10 seconds. Read from the `.ts` files shipped in
    the `sktime` wheel (the `datasets` extra), never downloaded; published for
    research, not redistributed by keras_biosyn. 100 training and 100 test
    series, 10 per class in each.

    Args:
        normalize: Standardise with training statistics only.
        validation_fraction: Fraction of the training series, per class, held
            out as `"validation"` (0 for none).
        seed: Seed of the validation draw.

    Returns:
        A dict of `Split`s (`"train"`, `"validation"`, `"test"`), labels 0–9.

    Example:

    ```python
    splits = load_acsf1()
    splits["test"].x.shape                 # (100, 1460, 1)
    ```
    """
    return load_ucr("ACSF1", normalize, validation_fraction, seed)


def _label_order(label: str):
    """Numeric labels in numeric order ("2" before "10"), others by name."""
    try:
        return (0, float(label), label)
    except ValueError:
        return (1, 0.0, label)
