"""Deployment: serving SavedModels and builtin-only TFLite / LiteRT models.

`export_tflite` writes a streaming step model (the device default) or a
fixed-length sequence model, float32, float16 or int8, and returns a `TFLiteExport`
saying what it wrote; `compare` checks an
exported model against Keras in the LiteRT interpreter; `run_tflite_micro`
runs it in the TFLite Micro host interpreter; `step_through` steps any of
these runtimes through sequences with the state fed back, and `dense_copy` /
`dense_model_copy` give the dense-layout copies that are exported;
`fastest_export_layout` times both export layouts in LiteRT; `device_profile` measures a
file as a device runs it and `int8_agreement` an int8 file against float32. Writing
SavedModel and TFLite files needs the TensorFlow backend (under JAX or
PyTorch they raise a `RuntimeError` saying so); the runtimes come with the
`edge` extra.
"""

from keras_biosyn.export.conversion import (
    calibration_samples,
    convert,
    deployable_model,
    membrane_tensors,
    tflite_flatbuffer,
    tflite_ops,
)
from keras_biosyn.export.dense_copy import dense_copy, dense_model_copy
from keras_biosyn.export.device_profile import (
    INT8_TOLERANCE,
    DeviceProfile,
    Int8Agreement,
    device_profile,
    int8_agreement,
    op_precisions,
)
from keras_biosyn.export.device_step import DeviceStep
from keras_biosyn.export.layout_choice import (
    LayoutChoice,
    fastest_export_layout,
    litert_microseconds,
)
from keras_biosyn.export.runtime import (
    LiteRTModel,
    TFLiteMicroModel,
    compare,
    run_tflite_micro,
    signature_input_order,
    signature_output_order,
)
from keras_biosyn.export.saved_model import export_saved_model
from keras_biosyn.export.stepping import keras_step_function, step_through
from keras_biosyn.export.streaming import fixed_length_model, streaming_model
from keras_biosyn.export.tflite_export import TFLiteExport, export_tflite
from keras_biosyn.export.vocabulary import (
    EXPORT_LAYOUTS,
    FORMATS,
    MEMBRANE_PRECISIONS,
    MODES,
    QUANTIZATIONS,
)

__all__ = [
    "EXPORT_LAYOUTS",
    "FORMATS",
    "INT8_TOLERANCE",
    "MEMBRANE_PRECISIONS",
    "MODES",
    "QUANTIZATIONS",
    "DeviceProfile",
    "DeviceStep",
    "Int8Agreement",
    "LayoutChoice",
    "LiteRTModel",
    "TFLiteExport",
    "TFLiteMicroModel",
    "calibration_samples",
    "compare",
    "convert",
    "dense_copy",
    "dense_model_copy",
    "deployable_model",
    "device_profile",
    "export_saved_model",
    "export_tflite",
    "fastest_export_layout",
    "fixed_length_model",
    "int8_agreement",
    "keras_step_function",
    "litert_microseconds",
    "membrane_tensors",
    "op_precisions",
    "run_tflite_micro",
    "signature_input_order",
    "signature_output_order",
    "step_through",
    "streaming_model",
    "tflite_flatbuffer",
    "tflite_ops",
]
