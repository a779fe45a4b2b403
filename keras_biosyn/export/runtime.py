"""Running exported `.tflite` models in LiteRT and TFLite Micro, and checking them."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from keras_biosyn.export.stepping import keras_step_function, state_sizes, step_through
from keras_biosyn.export.streaming import fixed_length_model, streaming_model


class LiteRTModel:
    """A `.tflite` model in the LiteRT interpreter (`ai-edge-litert`), called by input name.

    Args:
        path: The `.tflite` file.

    Example:

    ```python
    runner = LiteRTModel("ltc_step.tflite")
    outputs = runner(x_t=x[:1, 0], state_0=np.zeros((1, 16), "float32"))
    ```
    """

    def __init__(self, path: str | os.PathLike):
        from ai_edge_litert import interpreter as litert

        self.path = Path(path)
        self.interpreter = litert.Interpreter(model_path=str(self.path))
        self.runner = self.interpreter.get_signature_runner()
        details = self.runner.get_input_details()
        self.input_names = sorted(details)
        self.input_shapes = {name: tuple(d["shape"]) for name, d in details.items()}

    @property
    def is_streaming(self) -> bool:
        return "x_t" in self.input_names

    def require_streaming(self) -> None:
        """Raises a `ValueError` unless this is a streaming model (inputs `x_t`, `state_0`...)."""
        if not self.is_streaming:
            raise ValueError(
                "Expected a streaming model (inputs x_t, state_0, ...). "
                f"Received: {self.path} with inputs {self.input_names}"
            )

    @property
    def state_names(self) -> list[str]:
        """The state inputs of a streaming model, `state_0`, `state_1`, ... in name order."""
        return [name for name in self.input_names if name.startswith("state_")]

    def __call__(self, **inputs) -> dict:
        return self.runner(**{k: np.asarray(v, np.float32) for k, v in inputs.items()})

    def step(self, x_t, states: list) -> tuple:
        """One step of a streaming model, for `step_through`: `(y_t, new_states)`.

        `states` are in the order of `state_names`.
        """
        result = self(x_t=x_t, **dict(zip(self.state_names, states, strict=True)))
        return result["y_t"], [result[f"new_{name}"] for name in self.state_names]

    def run_sequence(self, sequence) -> np.ndarray:
        """Outputs for one sequence `(time, features)`.

        A streaming model is stepped with its states fed back (zeros first) and
        returns the step outputs `(time, outputs)`; a sequence model returns
        its single output.
        """
        sequence = np.asarray(sequence, np.float32)
        if not self.is_streaming:
            return self(sequence=sequence[None])["output"][0]
        sizes = [self.input_shapes[name][-1] for name in self.state_names]
        return step_through(self.step, sequence[None], sizes)[0]

    def predict(self, sequences, lengths=None) -> np.ndarray:
        """The model's output for each sequence `(batch, time, features)`.

        A streaming model is stepped through the first `lengths[i]` steps of
        sequence `i` (all steps by default; padding is not fed, as on a
        device) and its last step's output is returned, which is what the
        Keras model returns for a masked, padded batch.
        """
        sequences = np.asarray(sequences, np.float32)
        if lengths is None:
            lengths = np.full(len(sequences), sequences.shape[1])
        if not self.is_streaming:
            return np.stack([self.run_sequence(s) for s in sequences])
        return np.stack(
            [self.run_sequence(s[:n])[-1] for s, n in zip(sequences, lengths, strict=True)]
        )


def compare(model, tflite_path, inputs, lengths=None) -> dict:
    """Runs an exported model in LiteRT and measures its error against Keras.

    For a streaming model every step's output is compared with the Keras
    streaming model stepped the same way (states fed back), and the last
    step's output with `model.predict`; for a sequence model the outputs are
    compared with `model.predict` directly.

    Args:
        model: The Keras model that was exported.
        tflite_path: The `.tflite` file.
        inputs: Sequences `(batch, time, features)`.
        lengths: Optional valid length of each sequence (padding is not fed
            to a streaming model, as on a device); default: all steps.

    Returns:
        A dict with `max_abs_error` and `mean_abs_error` over all compared
        values, `final_max_abs_error` against `model.predict`, `steps`
        (steps compared) and `output_std` (spread of the Keras outputs).
    """
    runner = LiteRTModel(tflite_path)
    inputs = np.asarray(inputs, np.float32)
    if lengths is None:
        lengths = np.full(len(inputs), inputs.shape[1])
    if not runner.is_streaming:
        deployable = fixed_length_model(model, inputs.shape[1], batch_size=None)
        expected = np.asarray(deployable.predict(inputs, verbose=0))
        got = np.stack([runner.run_sequence(sequence) for sequence in inputs])
        errors = np.abs(got - expected)
        return _summary(errors, errors, expected, steps=len(inputs))
    final_expected = np.asarray(model.predict(inputs, verbose=0))
    if final_expected.ndim == 3:  # return_sequences: each sequence's output at its last step
        final_expected = final_expected[np.arange(len(inputs)), np.asarray(lengths) - 1]
    pairs = stream_beside_keras(model, runner, inputs, lengths)
    errors = np.concatenate([np.abs(got - expected).ravel() for got, expected in pairs])
    finals = np.stack([got[-1] for got, _ in pairs])
    final_errors = np.abs(finals - final_expected.reshape(len(inputs), -1))
    reference = np.concatenate([expected.ravel() for _, expected in pairs])
    return _summary(errors, final_errors, reference, steps=int(sum(lengths)))


def stream_beside_keras(model, runner: LiteRTModel, inputs, lengths) -> list[tuple]:
    """Steps a streaming file and `model`'s Keras streaming model through the same sequences.

    Sequence `i` is fed for its first `lengths[i]` steps, with each side's
    states fed back. The Keras side steps the whole batch at once (a step's
    output depends only on the steps before it, so the padding after
    `lengths[i]` changes nothing it returns).

    Args:
        model: The Keras model that was exported.
        runner: The exported streaming model, a `LiteRTModel`.
        inputs: Sequences `(batch, time, features)`.
        lengths: The number of steps to feed of each sequence.

    Returns:
        One `(got, expected)` pair of `(length, outputs)` arrays per sequence.

    Example:

    ```python
    pairs = stream_beside_keras(model, LiteRTModel("step_int8.tflite"), x, lengths)
    ```
    """
    step = streaming_model(model, batch_size=None, export_layout="model")
    expected = step_through(keras_step_function(step), inputs, state_sizes(step))
    return [
        (runner.run_sequence(sequence[:length]), reference[:length])
        for sequence, reference, length in zip(inputs, expected, lengths, strict=True)
    ]


def _summary(errors, final_errors, reference, steps):
    return {
        "max_abs_error": float(np.max(errors)),
        "mean_abs_error": float(np.mean(errors)),
        "final_max_abs_error": float(np.max(final_errors)),
        "steps": int(steps),
        "output_std": float(np.std(reference)),
    }


class TFLiteMicroModel:
    """A streaming `.tflite` model in the TFLite Micro host interpreter (the `edge` extra).

    It steps like `LiteRTModel.step`, so the same loops (`step_through`,
    `keras_biosyn.control.StreamingPolicy`) run it. Inputs are fed by
    position, in the order the file lists them (`signature_input_order`).

    Args:
        path: The streaming `.tflite` file.
        arena_size: The tensor arena in bytes (default: the interpreter's own).

    Example:

    ```python
    micro = TFLiteMicroModel("ltc_step_int8.tflite")
    y_t, states = micro.step(x[:1, 0], [np.zeros((1, 16), "float32")])
    ```
    """

    def __init__(self, path: str | os.PathLike, arena_size: int | None = None):
        try:
            from tflite_micro.python.tflite_micro import runtime as tflm
        except ImportError as error:
            raise ImportError(
                "The TFLite Micro host interpreter is not installed: "
                "pip install 'keras-biosyn[edge]'"
            ) from error
        reference = LiteRTModel(path)
        reference.require_streaming()
        self.path = reference.path
        self.input_shapes = reference.input_shapes
        self.state_names = reference.state_names
        self.input_order = signature_input_order(reference)
        self.output_order = signature_output_order(reference)
        self.interpreter = tflm.Interpreter.from_file(os.fspath(path), arena_size=arena_size)

    def step(self, x_t, states: list) -> tuple:
        """One step: `(y_t, new_states)`, `states` in the order of `state_names`."""
        feed = {"x_t": x_t, **dict(zip(self.state_names, states, strict=True))}
        for index, name in enumerate(self.input_order):
            self.interpreter.set_input(np.asarray(feed[name], np.float32), index)
        self.interpreter.invoke()
        result = {
            name: np.array(self.interpreter.get_output(i))
            for i, name in enumerate(self.output_order)
        }
        return result["y_t"], [result[f"new_{name}"] for name in self.state_names]

    def run_sequence(self, sequence) -> np.ndarray:
        """The step outputs `(time, outputs)` of a sequence `(time, features)`, states fed back."""
        sizes = [self.input_shapes[name][-1] for name in self.state_names]
        return step_through(self.step, np.asarray(sequence, np.float32)[None], sizes)[0]


def run_tflite_micro(tflite_path, sequence, arena_size: int | None = None) -> np.ndarray:
    """Steps a streaming model through one sequence in the TFLite Micro host interpreter.

    Uses PyPI `tflite-micro` (the `edge` extra); see `TFLiteMicroModel`.

    Returns:
        The step outputs `(time, outputs)`.
    """
    return TFLiteMicroModel(tflite_path, arena_size).run_sequence(sequence)


def signature_input_order(runner: LiteRTModel) -> list[str]:
    """The signature names of a model's inputs in subgraph (flatbuffer) order.

    Runtimes that feed inputs by position (TFLite Micro) feed them in this order.

    Args:
        runner: The model in LiteRT.

    Returns:
        The input names, e.g. `["x_t", "state_0"]`, by input position.

    Example:

    ```python
    order = signature_input_order(LiteRTModel("ltc_step.tflite"))
    for index, name in enumerate(order):
        micro.set_input(feed[name], index)
    ```
    """
    return _signature_order(
        runner, runner.runner.get_input_details(), runner.interpreter.get_input_details(), "inputs"
    )


def signature_output_order(runner: LiteRTModel) -> list[str]:
    """The signature names of a model's outputs in subgraph (flatbuffer) order.

    Args:
        runner: The model in LiteRT.

    Returns:
        The output names, e.g. `["new_state_0", "y_t"]`, by output position.
    """
    return _signature_order(
        runner,
        runner.runner.get_output_details(),
        runner.interpreter.get_output_details(),
        "outputs",
    )


def _signature_order(runner: LiteRTModel, by_name: dict, by_position: list, kind: str):
    signature = runner.interpreter.get_signature_list()
    key = next(iter(signature))
    by_tensor = {by_name[name]["index"]: name for name in signature[key][kind]}
    return [by_tensor[details["index"]] for details in by_position]
