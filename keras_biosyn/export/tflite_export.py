"""`export_tflite`: a trained model as a `.tflite` file, and what was written."""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from keras_biosyn.export.conversion import tflite_flatbuffer, tflite_ops
from keras_biosyn.export.layout_choice import fastest_export_layout
from keras_biosyn.export.vocabulary import EXPORT_LAYOUTS, QUANTIZATIONS, quantization_name
from keras_biosyn.utils.backend import require_backend
from keras_biosyn.utils.files import check_destination, write_file_atomically
from keras_biosyn.utils.validation import check_choice


@dataclass(frozen=True, eq=False)  # hashable although it holds a dict (IPython's open hashes)
class TFLiteExport:
    """What `export_tflite` wrote.

    A path-like object (`os.fspath(result)` and `str(result)` are the file's
    path), so that it can be passed wherever the file's path is expected.

    Attributes:
        path: The `.tflite` file.
        mode: `"streaming"` or `"sequence"`.
        quantization: One of `QUANTIZATIONS`.
        export_layout: The layout written, `"dense"` or `"model"` (`"fastest"`
            resolved to the one chosen).
        ops: The file's op names, sorted (`tflite_ops`).
        size_bytes: The file's size.
        litert_microseconds: LiteRT µs per call of each layout timed by
            `export_layout="fastest"` (empty otherwise, or when only one
            layout exists).

    Example:

    ```python
    result = export_tflite(model, "step.tflite", export_layout="fastest")
    result.export_layout, result.litert_microseconds, result.ops
    ```
    """

    path: Path
    mode: str
    quantization: str
    export_layout: str
    ops: tuple[str, ...]
    size_bytes: int
    litert_microseconds: dict[str, float] = field(default_factory=dict)

    def __fspath__(self) -> str:
        return os.fspath(self.path)

    def __str__(self) -> str:
        return os.fspath(self.path)

    def to_dict(self) -> dict:
        """The JSON-ready fields of a manifest entry (the path as its file name)."""
        return {
            "file": self.path.name,
            "mode": self.mode,
            "quantization": self.quantization,
            "export_layout": self.export_layout,
            "ops": list(self.ops),
            **(
                {"litert_microseconds": self.litert_microseconds}
                if self.litert_microseconds
                else {}
            ),
        }


def export_tflite(
    model,
    path,
    mode: str = "streaming",
    sequence_length: int | None = None,
    quantization: str | None = "float32",
    representative_data=None,
    export_layout: str = "dense",
    overwrite: bool = False,
    membrane: str = "float32",
    *,
    synapse_layout: str | None = None,
) -> TFLiteExport:
    """Exports `model` to a `.tflite` file with builtin ops only, at batch size 1.

    Args:
        model: A built Keras model of BioSynLTC RNN layers and per-step layers
            (see `streaming_model`).
        path: Destination `.tflite` file. It is written to a temporary file
            and renamed, so it is never left half-written.
        mode: `"streaming"` (default): one step `(x_t, state_0, ...) ->
            (y_t, new_state_0, ...)`; the device keeps the state. `"sequence"`:
            whole sequences of `sequence_length` steps.
        sequence_length: Steps per sequence for `mode="sequence"` (default:
            the model's own fixed length).
        quantization: One of `QUANTIZATIONS`: `"float32"` (default; `None`
            means the same), `"float16"` (float16 weights) or `"int8"`
            (full-integer post-training quantization of the synapses, float32
            inputs and outputs, calibrated on `representative_data`;
            streaming mode only).
        representative_data: For int8: the training sequences
            `(samples, time, features)` as an array (the closed-loop
            `(x_t, state)` step samples are derived from them with
            `calibration_samples`), or prepared samples: an iterable whose
            items are dicts keyed by input name or lists in input order.
        export_layout: How the file computes the synapses, one of
            `EXPORT_LAYOUTS`: `"dense"` (default; runs on TFLite Micro),
            `"model"` (each cell's own `synapse_layout`: a sparse cell keeps
            only its existing synapses, the smaller file) or `"fastest"`
            (converts both and keeps the one LiteRT runs faster on this
            machine; see `fastest_export_layout`).
        overwrite: Replace an existing file.
        membrane: For int8: `"float32"` (default) computes the membrane
            update, a few ops per neuron, in float32 and the synapses in int8;
            `"int8"` quantizes the update too (but EXP, DIV and MAXIMUM), for
            devices without a floating-point unit, and loses accuracy: an int8
            state cannot follow slow neurons (see `convert`).
        synapse_layout: Deprecated name of `export_layout`.

    Returns:
        A `TFLiteExport` (path-like): the path, the layout written, the ops
        and, for `"fastest"`, the timings.

    Example:

    ```python
    export_tflite(model, "ltc_step.tflite")                       # float32 streaming
    export_tflite(model, "ltc_step_int8.tflite", quantization="int8",
                  representative_data=x_train[:64])        # (64, time, features)
    ```
    """
    require_backend("TFLite export")
    if synapse_layout is not None:
        warnings.warn(
            "export_tflite(synapse_layout=) is renamed export_layout= (a cell's "
            "synapse_layout is another setting)",
            DeprecationWarning,
            stacklevel=2,
        )
        export_layout = synapse_layout
    quantization = check_choice("quantization", quantization_name(quantization), QUANTIZATIONS)
    check_choice("export_layout", export_layout, EXPORT_LAYOUTS)
    path = check_destination(path, overwrite, suffix=".tflite")
    options = (model, mode, sequence_length, quantization, representative_data)
    timings = {}
    if export_layout == "fastest":
        choice = fastest_export_layout(*options, membrane=membrane)
        export_layout, timings, flatbuffer = choice.layout, choice.microseconds, choice.flatbuffer
    else:
        flatbuffer = tflite_flatbuffer(*options, export_layout, membrane=membrane)
    write_file_atomically(path, flatbuffer)
    return TFLiteExport(
        path=path,
        mode=mode,
        quantization=quantization,
        export_layout=export_layout,
        ops=tuple(tflite_ops(flatbuffer)),
        size_bytes=len(flatbuffer),
        litert_microseconds=dict(timings),
    )
