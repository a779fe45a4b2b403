"""Deployment: serving SavedModels and builtin-only TFLite / LiteRT models.

`export_tflite` writes a streaming step model (the device default) or a
fixed-length sequence model, float32, float16 or int8; `compare` checks an
exported model against Keras in the LiteRT interpreter; `run_tflite_micro`
runs it in the TFLite Micro host interpreter. Writing SavedModel and TFLite
files needs the TensorFlow backend (under JAX or PyTorch they raise a
`RuntimeError` saying so); the runtimes come with the `edge` extra.
"""

from keras_biosyn.export.litert import (
    calibration_samples,
    convert,
    deployable_model,
    export_tflite,
    tflite_ops,
)
from keras_biosyn.export.runtime import LiteRTModel, compare, run_tflite_micro
from keras_biosyn.export.saved_model import export_saved_model
from keras_biosyn.export.streaming import sequence_model, streaming_model

__all__ = [
    "LiteRTModel",
    "calibration_samples",
    "compare",
    "convert",
    "deployable_model",
    "export_saved_model",
    "export_tflite",
    "run_tflite_micro",
    "sequence_model",
    "streaming_model",
    "tflite_ops",
]
