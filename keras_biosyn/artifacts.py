"""A trained classifier in every deployable form, each measured on a test split.

`save_artifacts` writes the `.keras` file, the serving SavedModel and the
streaming TFLite models (float32 and int8) of a model, reloads each one in its
own runtime (Keras, `tf.saved_model`, LiteRT) and returns one manifest entry per
form with its test accuracy, size and SHA-256 checksums, one per file, as
`sha256sum FILE` prints them. The main job (`keras-biosyn train`) and the test
of the committed `saved_models/` use it.
"""

from __future__ import annotations

import os
from pathlib import Path

import keras

from keras_biosyn import export
from keras_biosyn.datasets.splits import Split
from keras_biosyn.utils.files import file_checksums
from keras_biosyn.utils.metrics import accuracy

__all__ = [
    "FORMATS",
    "accuracy",
    "artifact_accuracy",
    "describe_artifact",
    "save_artifacts",
]

FORMATS = ("keras", "saved_model", "tflite_streaming", "tflite_sequence")


def artifact_accuracy(path: str | os.PathLike, format: str, split: Split) -> float:
    """Test accuracy of a saved form of a classifier, run in its own runtime.

    Args:
        path: The `.keras` file, SavedModel directory or `.tflite` file.
        format: One of `FORMATS`.
        split: The labelled sequences (`x`, `y`, `length`).

    `"tflite_streaming"` files are run on the device's terms in LiteRT: each
    sequence fed step by step with the state fed back, padding never fed;
    `"tflite_sequence"` files take the whole (padded) sequence.
    """
    path = Path(path)
    if format == "keras":
        predictions = keras.models.load_model(path).predict(split.x, verbose=0)
    elif format == "saved_model":
        import tensorflow as tf

        loaded = tf.saved_model.load(str(path))  # keep a reference: it owns the variables
        predictions = loaded.serve(split.x).numpy()
    elif format == "tflite_streaming":
        predictions = export.LiteRTModel(path).predict(split.x, split.length)
    elif format == "tflite_sequence":
        predictions = export.LiteRTModel(path).predict(split.x)
    else:
        raise ValueError(f"Expected a format among {list(FORMATS)}. Received: format={format!r}")
    return accuracy(predictions, split.y)


def describe_artifact(
    path: str | os.PathLike, format: str, quantization: str | None, test_accuracy: float
) -> dict:
    """The manifest entry of one saved form: name, size, per-file checksums, accuracy."""
    path = Path(path)
    files = file_checksums(path)
    return {
        "file": path.name,
        "format": format,
        "quantization": quantization,
        "size_bytes": sum(f["size_bytes"] for f in files),
        "files": files,
        "test_accuracy": test_accuracy,
    }


def save_artifacts(
    model: keras.Model, directory: str | os.PathLike, stem: str, calibration, test: Split
) -> list[dict]:
    """Saves `model` in every deployable form under `directory` and measures each.

    Args:
        model: A trained classifier of BioSynLTC RNN layers and per-step layers.
        directory: An existing directory (e.g. a staging directory).
        stem: The common start of the file names.
        calibration: Training sequences `(N, time, features)` for int8 calibration.
        test: The labelled test split each form is measured on.

    Returns:
        One `describe_artifact` entry per form, in the order written.
    """
    directory = Path(directory)
    keras_path = directory / f"{stem}.keras"
    model.save(keras_path)
    forms = [
        (keras_path, "keras", None),
        (export.export_saved_model(model, directory / f"{stem}_savedmodel"), "saved_model", None),
        (
            export.export_tflite(model, directory / f"{stem}_streaming_float32.tflite"),
            "tflite_streaming",
            "float32",
        ),
        (
            export.export_tflite(
                model,
                directory / f"{stem}_streaming_int8.tflite",
                quantization="int8",
                representative_data=calibration,
            ),
            "tflite_streaming",
            "int8",
        ),
    ]
    return [
        describe_artifact(path, format, quantization, artifact_accuracy(path, format, test))
        for path, format, quantization in forms
    ]
