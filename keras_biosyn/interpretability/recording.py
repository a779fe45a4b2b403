"""Recordings of `CoefficientRecorder`: its record files, and reading a recording back.

A recording is `CoefficientRecorder.history` (lists, one entry per record) or
the dict `load_recording` returns (arrays stacked over records): `"epoch"`,
`"batch"` and one entry per `"<layer>/<coefficient>"`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from keras_biosyn.interpretability.layer_selection import select_layer_name

RECORD_FILE = re.compile(r"record_(\d{6})\.npz$")


def record_path(directory: str | os.PathLike, index: int) -> Path:
    """The file of record number `index` in a recording directory (`record_NNNNNN.npz`)."""
    return Path(directory) / f"record_{index:06d}.npz"


def record_files(directory: str | os.PathLike) -> list[tuple[int, Path]]:
    """`[(index, file)]` of the record files in `directory`, in order (`[]` if none).

    Example:

    ```python
    files = record_files("coefficients")
    next_index = files[-1][0] + 1 if files else 0
    ```
    """
    directory = Path(directory)
    if not directory.is_dir():
        return []
    found = []
    for file in directory.iterdir():
        match = RECORD_FILE.fullmatch(file.name)
        if match:
            found.append((int(match.group(1)), file))
    return sorted(found)


def load_recording(path: str | os.PathLike) -> dict:
    """Loads a `CoefficientRecorder` directory: arrays stacked over records.

    Args:
        path: The recorder's `save_path`.

    Returns:
        A dict with `"epoch"` and `"batch"` of shape `(records,)` and one array
        `(records, batch, time, ...)` per `"<layer>/<coefficient>"`.

    Example:

    ```python
    recording = load_recording("coefficients")
    recording["ltc/tau"].shape                       # (records, probe batch, time, units)
    ```
    """
    files = record_files(path)
    if not files:
        raise ValueError(
            f"Expected a directory of record_NNNNNN.npz files written by CoefficientRecorder. "
            f"Received: path={str(path)!r}, which holds none"
        )
    records = []
    for _, file in files:
        with np.load(file) as data:
            records.append({key: data[key] for key in data.files})
    return {key: np.stack([r[key] for r in records]) for key in records[0]}


def recorded_coefficient(
    recording: Mapping, coefficient: str, layer: str | None = None
) -> tuple[str, np.ndarray]:
    """One coefficient of one layer of a recording, stacked over records.

    Args:
        recording: `CoefficientRecorder.history` or the dict from
            `load_recording`.
        coefficient: A recorded coefficient name, e.g. `"tau"`.
        layer: Name of the recorded layer; may be omitted when the recording
            holds one layer.

    Returns:
        `(layer, values)`: the layer's name and a NumPy array
        `(records, batch, time, ...)`.

    Example:

    ```python
    layer, tau = recorded_coefficient(recorder.history, "tau")
    tau.shape                                        # (records, probe batch, time, units)
    ```
    """
    if not isinstance(recording, Mapping):
        raise TypeError(
            "Expected `recording` to be CoefficientRecorder.history or the dict from "
            f"load_recording. Received: recording of type {type(recording).__name__}"
        )
    layers = sorted({key.rsplit("/", 1)[0] for key in recording if "/" in str(key)})
    if not layers:
        raise ValueError(
            "Expected a recording with '<layer>/<coefficient>' entries, as written by "
            f"CoefficientRecorder. Received: recording with keys {sorted(map(str, recording))}"
        )
    layer = select_layer_name(layers, layer, holder="This recording holds", kind="")
    key = f"{layer}/{coefficient}"
    if key not in recording:
        recorded = sorted(k.rsplit("/", 1)[1] for k in recording if str(k).startswith(f"{layer}/"))
        raise ValueError(
            f"Expected `coefficient` to be one recorded for layer {layer!r}: {recorded}. "
            f"Received: coefficient={coefficient!r}"
        )
    values = recording[key]
    if isinstance(values, (list, tuple)):
        if not values:
            raise ValueError(
                f"Expected at least one record of {key!r}. Received: an empty list "
                "(was the recorder used in `fit`?)"
            )
        return layer, np.stack([np.asarray(value) for value in values])
    return layer, np.asarray(values)


def recording_progress(recording: Mapping, records: int) -> tuple[np.ndarray, str]:
    """When each record was taken: `(epochs, "epoch")`, or `(record indices, "record")`.

    Epochs (`0` is before training) when every record was taken at an
    epoch's end (`batch == -1`); otherwise (batch records, whose epoch
    fraction is not recorded) the record index.

    Args:
        recording: `CoefficientRecorder.history` or the dict from
            `load_recording`.
        records: The number of records.

    Returns:
        `(progress, label)`: an array `(records,)` and its axis label.

    Example:

    ```python
    progress, label = recording_progress(recorder.history, len(recorder.history["epoch"]))
    ```
    """
    epochs = _progress(recording, "epoch", records)
    batches = _progress(recording, "batch", records)
    if epochs is not None and (batches is None or np.all(batches < 0)):
        return epochs, "epoch"
    return np.arange(records), "record"


def _progress(recording, name, records):
    if name not in recording:
        return None
    values = np.asarray(recording[name])
    if values.shape != (records,):
        raise ValueError(
            f"Expected `{name}` with one entry per record, shape ({records},). "
            f"Received: {name} of shape {values.shape}"
        )
    return values
