"""A trained model in every deployable form, each file measured in its own runtime.

`write_model_set` writes a model's `.keras` file, serving SavedModel and TFLite
files (per mode and quantization) into a directory, reloads each in its own
runtime (Keras, `tf.saved_model`, LiteRT) and writes one manifest of them:
sizes and SHA-256 checksums, test accuracy on labelled data, and for TFLite
files their ops, their error against Keras, their device profile and, for int8,
their agreement with float32 (an int8 file outside `INT8_TOLERANCE` stops the
set unless `force=True`). `keras-biosyn train`, `export` and `prune` all write
their files through it; the test of the committed `saved_models/` reads its
manifest.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from keras_biosyn import export
from keras_biosyn.datasets.splits import Split
from keras_biosyn.export.vocabulary import FORMATS, MODES, QUANTIZATIONS
from keras_biosyn.utils.files import file_checksums, write_file_atomically
from keras_biosyn.utils.metrics import accuracy
from keras_biosyn.utils.validation import check_choice

__all__ = [
    "DEFAULT_TFLITE",
    "MANIFEST_FORMAT",
    "Int8OutsideTolerance",
    "MeasuredFile",
    "form_accuracy",
    "write_model_set",
]

MANIFEST_FORMAT = "keras_biosyn.model_set/1"
# What a device runs: the streaming step, float32 and int8.
DEFAULT_TFLITE = (("streaming", "float32"), ("streaming", "int8"))
# Sequences of the evaluation data each TFLite file is compared with Keras on.
PARITY_SEQUENCES = 4


class Int8OutsideTolerance(ValueError):
    """An int8 file further from float32 than `export.INT8_TOLERANCE` (nothing published).

    Attributes:
        file: The int8 file's name.
        agreement: Its `export.Int8Agreement`.
        calibration_source: What it was calibrated and compared on.
    """

    def __init__(self, file: str, agreement, calibration_source: str):
        self.file, self.agreement, self.calibration_source = file, agreement, calibration_source
        super().__init__(f"{file}: {agreement.summary()} on {calibration_source}")


@dataclass(frozen=True)
class MeasuredFile:
    """One form written by `write_model_set`, as measured (what `on_file` receives).

    Attributes:
        entry: Its manifest entry (JSON-ready).
        profile: Its `export.DeviceProfile` (TFLite files), else `None`.
        agreement: Its `export.Int8Agreement` (int8 files), else `None`.
    """

    entry: dict
    profile: object = None
    agreement: object = None


def form_accuracy(path: str | os.PathLike, format: str, split: Split) -> float:
    """Test accuracy of a saved form of a classifier, run in its own runtime.

    Args:
        path: The `.keras` file, SavedModel directory or `.tflite` file.
        format: One of `FORMATS`.
        split: The labelled sequences (`x`, `y`, `length`).

    `"tflite_streaming"` files are run on the device's terms in LiteRT: each
    sequence fed step by step with the state fed back, padding never fed;
    `"tflite_sequence"` files take the whole (padded) sequence.

    Example:

    ```python
    form_accuracy("out/model_streaming_int8.tflite", "tflite_streaming", splits["test"])
    ```
    """
    check_choice("format", format, FORMATS)
    path = Path(path)
    if format == "keras":
        predictions = keras.models.load_model(path).predict(split.x, verbose=0)
    elif format == "saved_model":
        import tensorflow as tf

        loaded = tf.saved_model.load(str(path))  # keep a reference: it owns the variables
        predictions = loaded.serve(split.x).numpy()
    elif format == "tflite_streaming":
        predictions = export.LiteRTModel(path).predict(split.x, split.length)
    else:
        predictions = export.LiteRTModel(path).predict(split.x)
    return accuracy(predictions, split.y)


def write_model_set(
    model: keras.Model,
    directory: str | os.PathLike,
    stem: str,
    *,
    keras_file: bool = True,
    saved_model: bool = True,
    tflite: Sequence[tuple[str, str]] = DEFAULT_TFLITE,
    export_layout: str = "dense",
    evaluation: Split | None = None,
    evaluation_source: str | None = None,
    calibration=None,
    calibration_source: str | None = None,
    force: bool = False,
    manifest_name: str | None = None,
    extra: dict | None = None,
    on_file: Callable[[MeasuredFile], None] | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict:
    """Writes `model` in every requested form into `directory` and measures each file.

    Args:
        model: The trained Keras model.
        directory: An existing directory (a staging directory that the caller
            publishes all or nothing, e.g. `utils.files.staged_directory`).
        stem: The common start of the file names: `<stem>.keras`,
            `<stem>_savedmodel/`, `<stem>_<mode>_<quantization>.tflite`.
        keras_file: Write the `.keras` file.
        saved_model: Write the serving SavedModel.
        tflite: `(mode, quantization)` pairs of `export.MODES` x
            `export.QUANTIZATIONS`, one file each (int8 is streaming-only).
        export_layout: As for `export.export_tflite`.
        evaluation: Sequences every file is checked on: with labels (`y`), each
            form's accuracy is measured; the first `PARITY_SEQUENCES` give each
            TFLite file's error against Keras. `None`: no such checks.
        evaluation_source: How the manifest names `evaluation`.
        calibration: Sequences `(N, time, features)` that int8 is calibrated
            and then compared with float32 on (`export.int8_agreement`).
        calibration_source: How the manifest names `calibration`.
        force: Keep an int8 file outside `export.INT8_TOLERANCE` (its
            agreement is recorded) instead of raising `Int8OutsideTolerance`.
        manifest_name: The manifest's file name (default `<stem>_manifest.json`).
        extra: More top-level manifest fields (e.g. how the model was trained).
        on_file: Called with a `MeasuredFile` as each form is measured.
        progress: Called with a line of text before each slow step.

    Returns:
        The manifest written: `format`, `model`, `evaluated_on`,
        `calibration`, the `extra` fields, `keras_test_accuracy` (labelled
        evaluation) and `files`, one entry per form in the order written.

    Raises:
        Int8OutsideTolerance: An int8 file is further from float32 than the
            tolerance and `force` is false (the caller discards `directory`).

    Example:

    ```python
    with staged_directory("out") as staging:
        write_model_set(model, staging, "ltc", evaluation=splits["test"],
                        calibration=splits["train"].x[:64])
    ```
    """
    directory = Path(directory)
    for mode, quantization in tflite:
        check_choice("mode", mode, MODES)
        check_choice("quantization", quantization, QUANTIZATIONS)
    if any(q == "int8" for _, q in tflite) and calibration is None:
        raise ValueError(
            "An int8 file calibrates on real inputs: pass calibration= (training "
            "sequences shaped (N, time, features)). Received: calibration=None"
        )
    say = progress or (lambda message: None)
    # accuracy is measured for class labels, not for regression targets
    labelled = evaluation is not None and _class_labels(evaluation.y)
    manifest = {
        "format": MANIFEST_FORMAT,
        "model": model.name,
        "evaluated_on": evaluation_source,
        "calibration": calibration_source,
        **(extra or {}),
    }
    if labelled:
        manifest["keras_test_accuracy"] = accuracy(
            model.predict(evaluation.x, verbose=0), evaluation.y
        )
        say(f"Keras: test accuracy {manifest['keras_test_accuracy']:.4f} on {evaluation_source}")
    entries = []

    def measured(path, format, quantization, fields=None, profile=None, agreement=None):
        files = file_checksums(path, directory)
        entry = {
            "file": Path(path).name,
            "format": format,
            "quantization": quantization,
            **(fields or {}),
            "size_bytes": sum(f["size_bytes"] for f in files),
            "files": files,
        }
        if labelled:
            entry["test_accuracy"] = form_accuracy(path, format, evaluation)
        entries.append(entry)
        if on_file is not None:
            on_file(MeasuredFile(entry, profile, agreement))
        return entry

    if keras_file:
        path = directory / f"{stem}.keras"
        model.save(path)
        measured(path, "keras", None)
    if saved_model:
        say(f"{stem}_savedmodel: writing the serving SavedModel")
        measured(
            export.export_saved_model(model, directory / f"{stem}_savedmodel"), "saved_model", None
        )
    for mode, quantization in tflite:
        name = f"{stem}_{mode}_{quantization}.tflite"
        int8 = quantization == "int8"
        if int8:
            say(
                f"{name}: calibrating int8 on closed-loop steps of {len(calibration)} "
                f"sequences from {calibration_source}"
            )
        written = export.export_tflite(
            model,
            directory / name,
            mode=mode,
            sequence_length=None if evaluation is None else evaluation.x.shape[1],
            quantization=quantization,
            representative_data=calibration if int8 else None,
            export_layout=export_layout,
        )
        fields = written.to_dict()
        del fields["file"], fields["quantization"]
        if evaluation is not None:
            check = evaluation.x[:PARITY_SEQUENCES]
            lengths = evaluation.length
            lengths = None if mode == "sequence" or lengths is None else lengths[:PARITY_SEQUENCES]
            fields["parity"] = export.compare(model, written.path, check, lengths)
        profile = export.device_profile(written.path)
        fields["device_profile"] = profile.to_dict()
        agreement = None
        if int8:
            agreement = export.int8_agreement(model, written.path, calibration)
            fields["int8_agreement"] = agreement.to_dict()
        measured(written.path, f"tflite_{mode}", quantization, fields, profile, agreement)
        if agreement is not None and not agreement.within_tolerance and not force:
            raise Int8OutsideTolerance(
                name, agreement, calibration_source or "the calibration data"
            )
    manifest["files"] = entries
    text = json.dumps(manifest, indent=2, default=_json_number) + "\n"
    write_file_atomically(directory / (manifest_name or f"{stem}_manifest.json"), text.encode())
    return manifest


def _class_labels(labels) -> bool:
    return (
        labels is not None
        and np.ndim(labels) == 1
        and np.issubdtype(np.asarray(labels).dtype, np.integer)
    )


def _json_number(value):
    """NumPy scalars as Python numbers in the manifest."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
