"""Choosing the export layout of a file by what LiteRT runs fastest.

A cell in the sparse layout can be exported as it computes (`"model"`:
GATHER and UNSORTED_SEGMENT_SUM over the synapses that exist, the smaller
file) or through a dense copy (`"dense"`: every possible synapse as a matrix,
the layout TFLite Micro runs). Which one LiteRT runs faster depends on the
circuit's size and density and on the CPU (`benchmarks/pruning_edge.py`), so
`fastest_export_layout` converts both and times them side by side here.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field

import numpy as np

from keras_biosyn.export.conversion import tflite_flatbuffer
from keras_biosyn.export.dense_copy import has_sparse_cells
from keras_biosyn.export.vocabulary import CONVERTED_LAYOUTS


@dataclass(frozen=True)
class LayoutChoice:
    """What `fastest_export_layout` measured and picked.

    Attributes:
        layout: `"dense"` or `"model"`, the layout LiteRT ran fastest.
        microseconds: Median LiteRT `invoke()` time per call of each layout
            timed (empty when only one layout exists: a model without
            sparse cells exports the same file either way).
        flatbuffers: The converted `.tflite` bytes of each layout.
    """

    layout: str
    microseconds: dict[str, float] = field(default_factory=dict)
    flatbuffers: dict[str, bytes] = field(default_factory=dict, repr=False)

    @property
    def flatbuffer(self) -> bytes:
        """The bytes of the chosen layout."""
        return self.flatbuffers[self.layout]


def litert_microseconds(flatbuffers: dict, invokes: int = 200, rounds: int = 5) -> dict:
    """Median LiteRT `invoke()` time in µs of each `.tflite` model, timed in turn.

    Every model gets zero inputs (its state starts at rest) and one untimed
    call; then each round times `invokes` calls of every model, one model
    after the other, so that a slower moment of a shared machine hits them
    alike. The interpreters use LiteRT's default delegates, as users run them.

    Args:
        flatbuffers: Name -> `.tflite` bytes.
        invokes: Calls per round.
        rounds: Rounds; the median over them is returned.

    Returns:
        Name -> microseconds per call.

    Example:

    ```python
    litert_microseconds({"a": Path("a.tflite").read_bytes(), "b": other_bytes})
    ```
    """
    from ai_edge_litert import interpreter as litert

    interpreters = {}
    for name, flatbuffer in flatbuffers.items():
        interpreter = litert.Interpreter(model_content=bytes(flatbuffer))
        interpreter.allocate_tensors()
        for detail in interpreter.get_input_details():
            interpreter.set_tensor(detail["index"], np.zeros(detail["shape"], detail["dtype"]))
        interpreter.invoke()
        interpreters[name] = interpreter
    times = {name: [] for name in flatbuffers}
    for _ in range(rounds):
        for name, interpreter in interpreters.items():
            start = time.perf_counter()
            for _ in range(invokes):
                interpreter.invoke()
            times[name].append((time.perf_counter() - start) / invokes)
    return {name: 1e6 * statistics.median(values) for name, values in times.items()}


def fastest_export_layout(
    model,
    mode: str = "streaming",
    sequence_length: int | None = None,
    quantization: str | None = "float32",
    representative_data=None,
    invokes: int = 200,
    rounds: int = 5,
    membrane: str = "float32",
) -> LayoutChoice:
    """Converts `model` in both export layouts and picks the one LiteRT runs faster.

    The arguments are those of `export_tflite`; `export_tflite(...,
    export_layout="fastest")` writes the chosen file. The timing is this
    machine's (`litert_microseconds`); the `"model"` layout of a sparse cell
    needs UNSORTED_SEGMENT_SUM, which TFLite Micro lacks, so export for
    microcontrollers with `export_layout="dense"`.

    Args:
        model: A built Keras model (see `export_tflite`).
        mode: `"streaming"` or `"sequence"`.
        sequence_length: For `mode="sequence"`.
        quantization: As for `export_tflite`.
        representative_data: For int8, as for `export_tflite`.
        invokes: Calls per timing round.
        rounds: Timing rounds.
        membrane: For int8, as for `export_tflite`.

    Returns:
        A `LayoutChoice`: the layout, each layout's µs per call and the bytes.

    Example:

    ```python
    choice = fastest_export_layout(pruned_model)
    choice.layout, choice.microseconds        # 'dense', {'dense': 2.1, 'model': 3.4}
    ```
    """
    layouts = CONVERTED_LAYOUTS if has_sparse_cells(model) else ("dense",)
    flatbuffers = {
        layout: tflite_flatbuffer(
            model, mode, sequence_length, quantization, representative_data, layout, membrane
        )
        for layout in layouts
    }
    if len(flatbuffers) == 1:
        return LayoutChoice("dense", {}, flatbuffers)
    microseconds = litert_microseconds(flatbuffers, invokes, rounds)
    return LayoutChoice(min(microseconds, key=microseconds.get), microseconds, flatbuffers)
