"""The names an export is described by, defined once.

Standard library only: the command line reads this file for its `--help` without
importing TensorFlow (`keras_biosyn_cli.common.export_vocabulary`).
"""

MODES = ("streaming", "sequence")
"""`"streaming"`: one step `(x_t, state_0, ...) -> (y_t, new_state_0, ...)`, what a device
runs; `"sequence"`: whole sequences of a fixed length."""

QUANTIZATIONS = ("float32", "float16", "int8")
"""float32; float16 weights; int8 synapses (full-integer, calibrated) with the membrane
update in float32 (see `MEMBRANE_PRECISIONS`)."""

EXPORT_LAYOUTS = ("dense", "model", "fastest")
"""How an exported file computes the synapses (not to be confused with a cell's own
`synapse_layout`): `"dense"` matrices (what TFLite Micro runs), `"model"` each cell's own
layout (a sparse cell keeps only its synapses), or `"fastest"` of the two in LiteRT here."""

CONVERTED_LAYOUTS = EXPORT_LAYOUTS[:2]
"""The export layouts a model is converted in (`"fastest"` converts both and keeps one)."""

MEMBRANE_PRECISIONS = ("float32", "int8")
"""An int8 file's membrane update: float32 (default) or int8 (no floating-point unit)."""

FORMATS = ("keras", "saved_model", "tflite_streaming", "tflite_sequence")
"""The forms a model set holds (`keras_biosyn.model_set`)."""


def quantization_name(quantization):
    """`quantization` as one of `QUANTIZATIONS` (`None`, the older spelling, is float32)."""
    return "float32" if quantization is None else quantization
