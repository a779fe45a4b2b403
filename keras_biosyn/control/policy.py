"""`StreamingPolicy`: a streaming model run as a controller, its state kept between calls."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

import numpy as np

from keras_biosyn.export.runtime import LiteRTModel, TFLiteMicroModel
from keras_biosyn.export.stepping import StepFunction, keras_step_function, state_sizes
from keras_biosyn.export.streaming import streaming_model
from keras_biosyn.utils.validation import check_choice

# Where an exported `.tflite` policy runs: the LiteRT interpreter (phones, servers) or the
# TFLite Micro host interpreter (the kernels a microcontroller runs).
RUNTIMES = ("litert", "tflite_micro")


class StreamingPolicy:
    """A streaming model run as a policy: one observation in, one output out, the state kept.

    A controller calls its network once per control step with the newest
    observation; the recurrent state stays on the device between calls. This
    class does that for any step function `(x_t, states) -> (y_t,
    new_states)`: a Keras model (`from_keras`), or an exported streaming
    `.tflite` file in LiteRT or TFLite Micro (`from_file`). `reset()` zeroes
    the state at the start of an episode; each call times the step.

    Args:
        step_fn: A callable `(x_t, states) -> (y_t, new_states)` on batch-1
            arrays, as `keras_step_function` or `LiteRTModel.step` give.
        state_sizes: The size of each state, in the order `step_fn` takes them.
        name: A label for reports.

    Attributes:
        states: The current states, a list of `(1, size)` float32 arrays.
        step_seconds: The wall time of each call since the last `reset()`
            (the runtime's step with its Python feed and fetch).

    Example:

    ```python
    policy = StreamingPolicy.from_file("controller_int8.tflite", runtime="tflite_micro")
    policy.reset()
    output = policy(observation)          # (outputs,); the state moves on
    ```
    """

    def __init__(self, step_fn: StepFunction, state_sizes: Sequence[int], name: str = "policy"):
        self.step_fn = step_fn
        self.state_sizes = [int(size) for size in state_sizes]
        self.name = name
        self.reset()

    @classmethod
    def from_keras(cls, model, name: str | None = None) -> StreamingPolicy:
        """The policy of a Keras sequence model (see `streaming_model`), stepped in Keras.

        The step model shares `model`'s weights, so a policy made once follows
        further training.
        """
        step = streaming_model(model, batch_size=1, export_layout="model")
        return cls(keras_step_function(step), state_sizes(step), name or f"{model.name} (Keras)")

    @classmethod
    def from_file(
        cls,
        path: str | os.PathLike,
        runtime: str = "litert",
        arena_size: int | None = None,
        name: str | None = None,
    ) -> StreamingPolicy:
        """The policy of an exported streaming `.tflite` file, in one of `RUNTIMES`.

        Args:
            path: A streaming `.tflite` file (`export_tflite(mode="streaming")`).
            runtime: `"litert"` (default) or `"tflite_micro"` (the host
                interpreter of the `edge` extra).
            arena_size: TFLite Micro's tensor arena in bytes (default: its own).
            name: A label for reports (default: the file name and runtime).
        """
        check_choice("runtime", runtime, RUNTIMES)
        if runtime == "litert":
            model = LiteRTModel(path)
            model.require_streaming()
        else:
            model = TFLiteMicroModel(path, arena_size)
        sizes = [model.input_shapes[state][-1] for state in model.state_names]
        return cls(model.step, sizes, name or f"{model.path.name} ({runtime})")

    def reset(self) -> None:
        """Zeroes the states and the step timings (call at the start of each episode)."""
        self.states = [np.zeros((1, size), np.float32) for size in self.state_sizes]
        self.step_seconds = []

    def __call__(self, observation) -> np.ndarray:
        """One control step: the output `(outputs,)` for `observation` `(features,)`."""
        x_t = np.asarray(observation, np.float32).reshape(1, -1)
        start = time.perf_counter()
        y_t, states = self.step_fn(x_t, self.states)
        self.step_seconds.append(time.perf_counter() - start)
        self.states = [np.asarray(state, np.float32) for state in states]
        return np.asarray(y_t, np.float32).reshape(-1)
