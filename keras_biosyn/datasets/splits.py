"""The `Split` container and the preprocessing every dataset shares."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Split(NamedTuple):
    """One split: zero-padded sequences, their lengths and targets.

    Forecasting sets also carry `naive`, the naive forecast of every target in
    the targets' units (no change: a level keeps its last observed value, a
    change is zero), the baseline a forecaster must beat.
    """

    x: np.ndarray  # (samples, time, features) float32, zero padded at the end
    length: np.ndarray  # (samples,) int32, valid steps of each sequence
    y: np.ndarray  # (samples,) int32 class labels, or (samples, outputs) float32 targets
    naive: np.ndarray | None = None  # (samples, outputs) float32, forecasting sets only


def valid_steps(split: Split) -> np.ndarray:
    """Boolean `(samples, time)` mask of the unpadded steps."""
    return np.arange(split.x.shape[1])[None, :] < split.length[:, None]


def hold_out(split: Split, fraction: float, seed: int, stratify: bool) -> tuple[Split, Split]:
    """Splits off `fraction` of the samples (per class when `stratify`) as a held-out set."""
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"Expected a fraction in (0, 1). Received: fraction={fraction}")
    rng = np.random.default_rng(seed)
    held = np.zeros(len(split.y), dtype=bool)
    groups = (
        [np.flatnonzero(split.y == c) for c in np.unique(split.y)]
        if stratify
        else [np.arange(len(split.y))]
    )
    for members in groups:
        count = round(len(members) * fraction)
        held[rng.choice(members, size=count, replace=False)] = True

    def take(rows):
        return Split(*(None if a is None else a[rows] for a in split))

    return take(~held), take(held)


def standardize(splits: dict[str, Split], fit_on: str = "train") -> dict[str, Split]:
    """Standardises every feature with statistics of the `fit_on` split's valid steps only."""
    reference = splits[fit_on]
    steps = reference.x[valid_steps(reference)]
    mean, std = steps.mean(axis=0), steps.std(axis=0)
    std = np.where(std > 0, std, 1.0)

    def apply(split: Split) -> Split:
        x = np.where(valid_steps(split)[..., None], (split.x - mean) / std, 0.0)
        return split._replace(x=x.astype(np.float32))

    return {name: apply(split) for name, split in splits.items()}


def classification_splits(
    train: Split, test: Split, validation_fraction: float, seed: int, normalize: bool
) -> dict[str, Split]:
    """Holds out a stratified validation split of `train`, then standardises on train only.

    Returns the splits in the order `"train"`, `"validation"` (when
    `validation_fraction > 0`), `"test"`.
    """
    check_fraction("validation_fraction", validation_fraction)
    splits = {"train": train, "test": test}
    if validation_fraction > 0:
        splits["train"], splits["validation"] = hold_out(
            train, validation_fraction, seed, stratify=True
        )
    if normalize:
        splits = standardize(splits)
    return {name: splits[name] for name in ("train", "validation", "test") if name in splits}


def check_fraction(name: str, value: float) -> float:
    if not 0.0 <= value < 1.0:
        raise ValueError(f"Expected `{name}` in [0, 1). Received: {name}={value}")
    return float(value)


def forecast_windows(
    series: np.ndarray, masks: dict[str, np.ndarray], window: int, stride: int
) -> dict[str, Split]:
    """Time-ordered windows of `series` → its first feature at the next step, per split.

    Args:
        series: `(time, features)`; feature 0 is the forecast target.
        masks: Split name -> boolean `(time,)` mask of the split's contiguous steps.
        window: Steps per input window.
        stride: Steps between the starts of consecutive windows.

    Returns:
        A dict of `Split`s with `x` `(windows, window, features)`, `y` `(windows, 1)`
        and `naive` `(windows, 1)`: the target's last observed value (persistence).
    """
    splits = {}
    for name, mask in masks.items():
        part = series[mask]
        starts = np.arange(0, len(part) - window, stride)
        x = np.stack([part[s : s + window] for s in starts])
        y = part[starts + window, :1]
        splits[name] = Split(x, np.full(len(x), window, np.int32), y, naive=x[:, -1, :1].copy())
    return splits
