"""Converting a trained model to TFLite bytes with builtin ops only (float32, float16, int8),
and reading a `.tflite` file's ops.

`tflite_flatbuffer` derives the deployable model (`deployable_model`: the streaming step or
the fixed-length sequence model) and `convert`s it; `export_tflite`
(`keras_biosyn.export.tflite_export`) writes the bytes to a file.
"""

from __future__ import annotations

import os
import re
import tempfile
import warnings
from collections.abc import Iterable
from pathlib import Path

import keras
import numpy as np

from keras_biosyn.export.device_step import MEMBRANE_SCOPE, SYNAPSE_SCOPE
from keras_biosyn.export.stepping import keras_step_function, state_sizes, step_through
from keras_biosyn.export.streaming import NEW_STATE, fixed_length_model, streaming_model
from keras_biosyn.export.vocabulary import (
    CONVERTED_LAYOUTS,
    MEMBRANE_PRECISIONS,
    MODES,
    QUANTIZATIONS,
    quantization_name,
)
from keras_biosyn.utils.backend import require_backend
from keras_biosyn.utils.validation import check_choice, check_sequences


def _require_tensorflow():
    require_backend("TFLite export")
    import tensorflow as tf

    return tf


def deployable_model(model, mode="streaming", sequence_length=None, export_layout="dense"):
    """The batch-1 model that `export_tflite` converts (streaming step or fixed sequence).

    `export_layout` is one of `CONVERTED_LAYOUTS` (see `export_tflite`).
    """
    check_choice("mode", mode, MODES)
    if mode == "streaming":
        return streaming_model(model, batch_size=1, export_layout=export_layout)
    if sequence_length is None:
        sequence_length = model.inputs[0].shape[1] if isinstance(model, keras.Model) else None
        if sequence_length is None:
            raise ValueError(
                "mode='sequence' needs a fixed sequence length: the model's input has none. "
                "Pass sequence_length=. Received: sequence_length=None"
            )
    return fixed_length_model(model, sequence_length, batch_size=1, export_layout=export_layout)


def convert(
    deployable, quantization="float32", representative_data=None, membrane: str = "float32"
) -> bytes:
    """Converts a batch-1 Keras model to TFLite flatbuffer bytes, builtin ops only.

    Weights are frozen by exporting through `keras.export.ExportArchive` to a
    SavedModel first. Raises `ValueError` if the converter needs any op
    outside the TFLite builtin set (Flex ops) or a resource variable. Tensor
    names are dropped from the file (the signature keeps the input and
    output names): they are debugging strings, a quarter of a small model's bytes.

    Args:
        deployable: A batch-1 model (`deployable_model`).
        quantization: One of `QUANTIZATIONS` (`None` is float32).
        representative_data: int8 calibration samples (see `calibration_samples`).
        membrane: In an int8 model, `"float32"` (default) keeps every op of the
            membrane update (`MEMBRANE_SCOPE` of a `DeviceStep`) in float32 and
            quantizes the synapses; `"int8"` quantizes it too, except the ops
            that int8 cannot run (`FLOAT_OPS_IN_INT8`), which loses accuracy
            (see `keras_biosyn.export.device_step`).
    """
    tf = _require_tensorflow()
    quantization = check_choice("quantization", quantization_name(quantization), QUANTIZATIONS)
    check_choice("membrane", membrane, MEMBRANE_PRECISIONS)
    if quantization == "int8" and representative_data is None:
        raise ValueError(
            "quantization='int8' calibrates on representative data: pass "
            "representative_data= (see keras_biosyn.export.calibration_samples). "
            "Received: representative_data=None"
        )
    names = [tensor.name for tensor in deployable.inputs]
    signature = [tf.TensorSpec(t.shape, t.dtype, name=t.name) for t in deployable.inputs]

    def serve(*args):
        outputs = deployable(list(args) if len(args) > 1 else args[0], training=False)
        return outputs if isinstance(outputs, dict) else {"output": outputs}

    with tempfile.TemporaryDirectory() as directory:
        archive = keras.export.ExportArchive()
        archive.track(deployable)
        archive.add_endpoint("serve", serve, input_signature=signature)
        archive.write_out(directory, verbose=False)
        converter = tf.lite.TFLiteConverter.from_saved_model(directory)
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
        converter.experimental_enable_resource_variables = False
        if quantization == "float16":
            converter.optimizations = [tf.lite.Optimize.DEFAULT]
            converter.target_spec.supported_types = [tf.float16]
        elif quantization == "int8":
            samples = list(_as_samples(representative_data, names))
            converter.optimizations = [tf.lite.Optimize.DEFAULT]
            converter.representative_dataset = lambda: iter(samples)
            converter.target_spec.supported_ops = [
                tf.lite.OpsSet.TFLITE_BUILTINS_INT8,
                tf.lite.OpsSet.TFLITE_BUILTINS,
            ]
        try:
            with warnings.catch_warnings():
                # int8 calibration runs TF's own deprecated tf.lite.Interpreter.
                warnings.filterwarnings(
                    "ignore", message=".*tf.lite.Interpreter is deprecated", category=UserWarning
                )
                if quantization == "int8":
                    flatbuffer = _quantize_int8(tf, converter, samples, names, membrane)
                else:
                    flatbuffer = converter.convert()
        except Exception as error:  # the converter raises ConverterError and friends
            raise ValueError(
                "The model could not be converted with TFLite builtin ops only: "
                f"{str(error).splitlines()[0] if str(error) else type(error).__name__}"
            ) from error
    flex = [op for op in tflite_ops(flatbuffer) if op.startswith("Flex") or op == "CUSTOM"]
    if flex:
        raise ValueError(f"The converted model needs non-builtin ops {flex}; it was not written.")
    return without_tensor_names(flatbuffer)


# Ops kept in float32 in an int8 model with membrane="int8": TFLite Micro has no
# int8 EXP kernel, and in int8 the exponential step's denominator can round to zero, which
# int8 DIV refuses at run time; its guarding MAXIMUM must be float too.
FLOAT_OPS_IN_INT8 = ("EXP", "DIV", "MAXIMUM")


def _quantize_int8(tf, converter, samples, names, membrane) -> bytes:
    """Full-integer quantization but for the float32 ops (selective quantization).

    `converter` is set up for int8; the tensors of the membrane update are
    found by name in the float conversion of the same graph.
    """
    if membrane == "float32":
        denylist = {"denylisted_nodes": membrane_tensors(_float_conversion(tf, converter))}
    else:
        denylist = {"denylisted_ops": list(FLOAT_OPS_IN_INT8)}
    debugger = tf.lite.experimental.QuantizationDebugger(
        converter=converter,
        debug_dataset=lambda: iter([[sample[name] for name in names] for sample in samples]),
        debug_options=tf.lite.experimental.QuantizationDebugOptions(**denylist),
    )
    return debugger.get_nondebug_quantized_model()


def _float_conversion(tf, converter) -> bytes:
    """`converter`'s float32 conversion (its int8 settings restored afterwards)."""
    settings = (
        converter.optimizations,
        converter.representative_dataset,
        list(converter.target_spec.supported_ops),
    )
    converter.optimizations, converter.representative_dataset = [], None
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    try:
        return converter.convert()
    finally:
        (
            converter.optimizations,
            converter.representative_dataset,
            converter.target_spec.supported_ops,
        ) = settings


def membrane_tensors(flatbuffer: bytes) -> list[str]:
    """The names of the tensors a `DeviceStep`'s membrane update computes in a float model.

    A tensor belongs to it when every op its name lists (the converter joins
    the names of fused ops with `;`) is in `MEMBRANE_SCOPE` and outside
    `SYNAPSE_SCOPE` (the synapses the update's solver evaluates are in both).
    The new states belong to it too: the converter names them after the
    model's outputs, not their scope, and an int8 state fed back rounds every
    step's update away (`keras_biosyn.export.device_step`).
    """
    from ai_edge_litert.tools import flatbuffer_utils

    model = flatbuffer_utils.read_model_from_bytearray(flatbuffer)
    tensors = model.subgraphs[0].tensors
    names = [tensor.name.decode() for tensor in tensors if tensor.name]
    states = {
        tensors[output.tensorIndex].name.decode()
        for signature in model.signatureDefs or []
        for output in signature.outputs
        if output.name.decode().startswith(NEW_STATE)
    }
    # a scope entered again is uniquified: `synapses_1`, `synapses_2`, ...
    membrane, synapses = (
        re.compile(f"/{scope}(_[0-9]+)?/") for scope in (MEMBRANE_SCOPE, SYNAPSE_SCOPE)
    )
    return [
        name
        for name in names
        if name in states
        or all(membrane.search(op) and not synapses.search(op) for op in name.split(";"))
    ]


def without_tensor_names(flatbuffer: bytes) -> bytes:
    """`flatbuffer` with its tensor names dropped; the signatures keep their own names.

    Example:

    ```python
    smaller = without_tensor_names(converter.convert())
    ```
    """
    from ai_edge_litert.tools import flatbuffer_utils

    model = flatbuffer_utils.read_model_from_bytearray(flatbuffer)
    for subgraph in model.subgraphs:
        for tensor in subgraph.tensors:
            tensor.name = None
    return bytes(flatbuffer_utils.convert_object_to_bytearray(model))


def _as_samples(data, names) -> Iterable:
    """Calibration samples as dicts keyed by input name (the converter orders inputs by name)."""
    for sample in data:
        if isinstance(sample, dict):
            yield {name: np.asarray(sample[name], np.float32) for name in names}
        else:
            values = sample if isinstance(sample, (list, tuple)) else [sample]
            if len(values) != len(names):
                raise ValueError(
                    f"Expected calibration samples with {len(names)} arrays {names}. "
                    f"Received: a sample with {len(values)}"
                )
            yield {name: np.asarray(v, np.float32) for name, v in zip(names, values, strict=True)}


def tflite_flatbuffer(
    model,
    mode: str = "streaming",
    sequence_length: int | None = None,
    quantization: str | None = "float32",
    representative_data=None,
    export_layout: str = "dense",
    membrane: str = "float32",
) -> bytes:
    """The `.tflite` bytes `export_tflite` writes for one export layout (nothing written).

    The arguments are those of `export_tflite`; `export_layout` is one of
    `CONVERTED_LAYOUTS`.

    Example:

    ```python
    size = len(tflite_flatbuffer(model, export_layout="model"))
    ```
    """
    quantization = check_choice("quantization", quantization_name(quantization), QUANTIZATIONS)
    check_choice("export_layout", export_layout, CONVERTED_LAYOUTS)
    if mode == "sequence" and quantization == "int8":
        raise ValueError(
            "int8 quantization is available for mode='streaming' only: TensorFlow 2.21's "
            "converter crashes (segmentation fault) quantizing the sequence model's WHILE loop. "
            "Received: mode='sequence', quantization='int8'"
        )
    deployable = deployable_model(model, mode, sequence_length, export_layout)
    if quantization == "int8" and _is_sequence_batch(representative_data):
        sequences = check_sequences(
            representative_data, (None, deployable.inputs[0].shape[-1]), "representative_data"
        )
        representative_data = calibration_samples(model, sequences)
    return convert(deployable, quantization, representative_data, membrane)


def _is_sequence_batch(data) -> bool:
    """Whether `data` is an array of whole sequences rather than prepared step samples."""
    return hasattr(data, "shape") and hasattr(data, "dtype") and len(data.shape) == 3


def tflite_ops(model: bytes | str | os.PathLike) -> list[str]:
    """The op names of a `.tflite` model's main subgraph, sorted.

    Read from the flatbuffer with LiteRT's public `flatbuffer_utils` (no
    interpreter, so no delegate rewrites the graph). Builtin ops are named as
    in the TFLite schema (`"FULLY_CONNECTED"`), custom ops by their custom
    code (`"FlexTensorListReserve"`). The subgraphs of control flow (a
    sequence model's `WHILE` body) are not listed.

    Args:
        model: The flatbuffer bytes or the path of a `.tflite` file.

    Returns:
        The distinct op names, sorted.

    Example:

    ```python
    tflite_ops("ltc_step.tflite")   # ['ADD', 'DIV', 'FULLY_CONNECTED', ...]
    ```
    """
    from ai_edge_litert.tools import flatbuffer_utils

    content = model if isinstance(model, bytes) else Path(model).read_bytes()
    flatbuffer = flatbuffer_utils.read_model_from_bytearray(content)
    names = set()
    for operator in flatbuffer.subgraphs[0].operators:
        code = flatbuffer.operatorCodes[operator.opcodeIndex]
        names.add(
            code.customCode.decode()
            if code.customCode
            else flatbuffer_utils.opcode_to_name(flatbuffer, operator.opcodeIndex)
        )
    return sorted(names)


def calibration_samples(model, sequences, max_samples: int = 512, seed: int = 0) -> list[dict]:
    """Closed-loop `(x_t, state_0, ...)` samples for int8 calibration of a streaming model.

    Runs the streaming model over `sequences` `(batch, time, features)` with
    the state fed back, and returns up to `max_samples` step inputs drawn at
    random, as dicts keyed by input name, so calibration sees the states the
    device will really meet.
    """
    step = streaming_model(model, batch_size=None)
    names = [tensor.name for tensor in step.inputs]
    samples = []

    def collect(x_t, states):
        inputs = [x_t, *states]
        samples.extend(
            {name: inputs[k][i : i + 1] for k, name in enumerate(names)} for i in range(len(x_t))
        )

    step_through(keras_step_function(step), sequences, state_sizes(step), on_step=collect)
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(samples), size=min(max_samples, len(samples)), replace=False)
    return [samples[i] for i in sorted(chosen)]
