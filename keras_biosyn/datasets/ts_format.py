"""Reading the `.ts` time-series format of the UCR/UEA archive (as shipped by sktime/aeon)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def read_ts(path: str | Path) -> tuple[list[np.ndarray], list[str]]:
    """Reads a `.ts` file: one `(time, channels)` float32 array and one label per case.

    Handles multivariate series (channels separated by `:`) of equal or
    unequal length; the label is the last `:`-separated field.
    """
    series, labels = [], []
    in_data = False
    with open(path) as file:
        for line in file:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.lower() == "@data":
                in_data = True
                continue
            if not in_data:
                continue
            *channels, label = line.split(":")
            values = [[float(v) for v in channel.split(",")] for channel in channels]
            series.append(np.asarray(values, dtype=np.float32).T)
            labels.append(label.strip())
    if not series:
        raise ValueError(f"No @data cases found in {str(path)!r}")
    return series, labels


def pad(series: list[np.ndarray], length: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Zero-pads `(time, channels)` arrays at the end: `(cases, length, channels)` and lengths."""
    lengths = np.array([len(s) for s in series], dtype=np.int32)
    length = int(lengths.max()) if length is None else length
    padded = np.zeros((len(series), length, series[0].shape[1]), dtype=np.float32)
    for i, s in enumerate(series):
        padded[i, : len(s)] = s[:length]
    return padded, np.minimum(lengths, length)
