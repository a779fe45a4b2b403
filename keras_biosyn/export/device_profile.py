"""What an exported `.tflite` file costs on a device, and whether its int8 form is good enough.

`device_profile` reads and runs a file: its size, the TFLite Micro tensor arena it needs,
LiteRT's time per step and the ops it runs in float. `int8_agreement` measures an int8 file
against the float32 model it came from, on real inputs, and `INT8_TOLERANCE` says how far
it may be before `keras-biosyn export` refuses to write it.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import keras
import numpy as np

from keras_biosyn.export.layout_choice import litert_microseconds
from keras_biosyn.export.runtime import LiteRTModel, stream_beside_keras

# How far an int8 file may be from float32 on the inputs it is checked on. For a classifier
# (outputs on the probability simplex) it is the fraction of inputs whose predicted class
# changes, an upper bound on the accuracy lost; for any other output, the mean absolute
# error over the output's standard deviation.
INT8_TOLERANCE = {"changed_predictions": 0.02, "relative_error": 0.1}
# The ops that move data between float and int8, counted as neither.
_CONVERSION_OPS = ("QUANTIZE", "DEQUANTIZE")


@dataclass(frozen=True)
class DeviceProfile:
    """What a `.tflite` file costs on a device.

    Attributes:
        size_bytes: The file's size.
        arena_bytes: The TFLite Micro tensor arena its host interpreter uses
            for the model (`None` when TFLite Micro cannot run it: it lacks
            one of its ops, or the `edge` extra is missing).
        litert_microseconds: Median LiteRT `invoke()` time per step.
        float_ops: In an int8 model, the ops computed in float (between a
            DEQUANTIZE and a QUANTIZE), with their counts; in a float model,
            every op.
        quantized_ops: The ops computed in int8, with their counts.
    """

    size_bytes: int
    arena_bytes: int | None
    litert_microseconds: float
    float_ops: dict[str, int]
    quantized_ops: dict[str, int]

    def to_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        """One line for people: size, arena, time and where the float ops are."""
        arena = "n/a" if self.arena_bytes is None else f"{self.arena_bytes / 1024:.1f} KB"
        line = (
            f"{self.size_bytes / 1024:.1f} KB file, TFLite Micro arena {arena}, "
            f"LiteRT {self.litert_microseconds:.1f} µs/step"
        )
        if self.quantized_ops:
            floats = ", ".join(f"{op} x{n}" for op, n in sorted(self.float_ops.items())) or "none"
            line += f"; float ops in int8: {floats}"
        return line


def device_profile(model: bytes | str | os.PathLike) -> DeviceProfile:
    """Measures a `.tflite` file as a device would run it.

    Args:
        model: The flatbuffer bytes or the path of a `.tflite` file.

    Returns:
        A `DeviceProfile`.

    Example:

    ```python
    profile = device_profile("ltc_step_int8.tflite")
    print(profile.summary())   # 9.4 KB file, TFLite Micro arena 7.9 KB, LiteRT 4.1 µs/step; ...
    ```
    """
    content = model if isinstance(model, bytes) else Path(model).read_bytes()
    float_ops, quantized_ops = op_precisions(content)
    return DeviceProfile(
        size_bytes=len(content),
        arena_bytes=tflite_micro_arena_bytes(content),
        litert_microseconds=litert_microseconds({"model": content}, invokes=200, rounds=3)[
            "model"
        ],
        float_ops=float_ops,
        quantized_ops=quantized_ops,
    )


def op_precisions(flatbuffer: bytes) -> tuple[dict[str, int], dict[str, int]]:
    """`(float_ops, quantized_ops)`: each op of the main subgraph by its output's type.

    QUANTIZE and DEQUANTIZE only move between the two and are counted in neither.
    """
    from ai_edge_litert.tools import flatbuffer_utils

    model = flatbuffer_utils.read_model_from_bytearray(flatbuffer)
    subgraph = model.subgraphs[0]
    float_ops, quantized_ops = {}, {}
    for operator in subgraph.operators:
        name = flatbuffer_utils.opcode_to_name(model, operator.opcodeIndex)
        if name in _CONVERSION_OPS:
            continue
        tensor = subgraph.tensors[operator.outputs[0]]
        counts = (
            quantized_ops
            if tensor.quantization and tensor.quantization.scale is not None
            else float_ops
        )
        counts[name] = counts.get(name, 0) + 1
    return float_ops, quantized_ops


def tflite_micro_arena_bytes(flatbuffer: bytes) -> int | None:
    """The tensor arena TFLite Micro's host interpreter uses for the model, in bytes.

    The total its recording allocator reports after allocating the model in
    a generous arena (PyPI `tflite-micro`, the `edge` extra). It runs in a
    child process: the interpreter aborts the whole process on a model with
    an op it lacks (an irregular-time step's `IS_FINITE`, say). `None` when it
    is not installed or cannot allocate the model.
    """
    if importlib.util.find_spec("tflite_micro") is None:
        return None
    child = subprocess.run(
        [sys.executable, "-c", _ARENA_PROBE],
        input=flatbuffer,
        capture_output=True,
        check=False,
    )
    printed = (child.stdout + child.stderr).decode(errors="replace")
    match = re.search(r"Arena allocation total (\d+) bytes", printed)
    return int(match.group(1)) if child.returncode == 0 and match else None


# Allocates the flatbuffer read from stdin and prints the allocator's report.
_ARENA_PROBE = """
import sys
from tflite_micro.python.tflite_micro import runtime
model = sys.stdin.buffer.read()
runtime.Interpreter.from_bytes(model, arena_size=max(1 << 16, 16 * len(model))).print_allocations()
"""


@dataclass(frozen=True)
class Int8Agreement:
    """How an int8 file agrees with its float32 model on real inputs.

    Attributes:
        sequences: How many input sequences were compared.
        classifier: Whether the outputs are class probabilities (then
            `changed_predictions` is the measure held to `INT8_TOLERANCE`).
        changed_predictions: Fraction of sequences whose predicted class
            (arg-max of the last step's output) differs.
        relative_error: Mean absolute error of every step's output over the
            standard deviation of the float32 outputs.
        within_tolerance: Whether the measure is within `INT8_TOLERANCE`.
    """

    sequences: int
    classifier: bool
    changed_predictions: float
    relative_error: float
    within_tolerance: bool

    def to_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        if self.classifier:
            return (
                f"int8 changes {100 * self.changed_predictions:.1f} % of the predicted classes "
                f"of {self.sequences} sequences (tolerance "
                f"{100 * INT8_TOLERANCE['changed_predictions']:.0f} %)"
            )
        return (
            f"int8's mean error is {100 * self.relative_error:.1f} % of the outputs' spread "
            f"on {self.sequences} sequences "
            f"(tolerance {100 * INT8_TOLERANCE['relative_error']:.0f} %)"
        )


def int8_agreement(model, int8_path, sequences, max_sequences: int = 256) -> Int8Agreement:
    """Runs an int8 streaming file in LiteRT beside its float32 Keras model.

    Both step through the same sequences with their states fed back; the
    float32 side is the Keras streaming model, which a float32 file matches to
    ~1e-6. Padding is not fed, as on a device: when `model` starts with a
    `keras.layers.Masking` layer, each sequence ends at its last step that is
    not entirely the mask value.

    Args:
        model: The Keras model that was exported.
        int8_path: The int8 streaming `.tflite` file.
        sequences: Real inputs `(N, time, features)`, e.g. the calibration set.
        max_sequences: Compare at most this many (the first ones).

    Returns:
        An `Int8Agreement`.

    Example:

    ```python
    agreement = int8_agreement(model, "ltc_step_int8.tflite", x_train[:64])
    agreement.within_tolerance                      # True
    ```
    """
    sequences = np.asarray(sequences, np.float32)[:max_sequences]
    lengths = unpadded_lengths(model, sequences)
    pairs = stream_beside_keras(model, LiteRTModel(int8_path), sequences, lengths)
    final_expected = np.stack([expected[-1] for _, expected in pairs])
    final_got = np.stack([got[-1] for got, _ in pairs])
    error = np.mean(np.concatenate([np.abs(got - expected).ravel() for got, expected in pairs]))
    spread = np.std(np.concatenate([expected.ravel() for _, expected in pairs]))
    classifier = bool(
        np.all(final_expected >= 0) and np.allclose(final_expected.sum(-1), 1.0, atol=1e-3)
    )
    changed = float(np.mean(final_expected.argmax(-1) != final_got.argmax(-1)))
    relative = float(error / max(float(spread), 1e-12))
    if classifier:
        within = changed <= INT8_TOLERANCE["changed_predictions"]
    else:
        within = relative <= INT8_TOLERANCE["relative_error"]
    return Int8Agreement(len(sequences), classifier, changed, relative, within)


def unpadded_lengths(model, sequences) -> np.ndarray:
    """Each sequence's length without its trailing padding, by `model`'s `Masking` layer.

    A step is padding when every feature equals the mask value of a
    `keras.layers.Masking` layer in `model` (Keras skips such steps); without
    one, every step counts. A sequence keeps at least one step.
    """
    sequences = np.asarray(sequences)
    masks = [
        layer for layer in getattr(model, "layers", []) if isinstance(layer, keras.layers.Masking)
    ]
    if not masks:
        return np.full(len(sequences), sequences.shape[1])
    real = np.any(sequences != masks[0].mask_value, axis=-1)  # (N, time)
    last = sequences.shape[1] - np.argmax(real[:, ::-1], axis=1)
    return np.where(real.any(axis=1), last, 1)
