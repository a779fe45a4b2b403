"""The benchmark's models: `keras_biosyn.recipes`' factory set up by a task."""

from __future__ import annotations

import keras
import numpy as np

from keras_biosyn import recipes
from keras_biosyn.benchmarking.tasks import Task
from keras_biosyn.recipes import DEFAULTS_0_1, LEARNING_RATE, MODELS

__all__ = [
    "DEFAULTS_0_1",
    "LEARNING_RATE",
    "MODELS",
    "build_model",
    "recurrent_layer",
    "recurrent_parameters",
]


def recurrent_layer(name: str, neurons: int, task: Task, cell_options: dict | None = None):
    """`recipes.recurrent_layer` for a task: the cells read the elapsed time natively.

    `cell_options` are extra keyword arguments of the BioSynLTC or CT-RNN cell
    (e.g. `{"solver": "exponential", "ode_unfolds": 1}`), and `"wiring"`: a
    name of `keras_biosyn.recipes.WIRINGS` (default: a fully connected circuit
    whose polarities follow the run's seed).
    """
    return recipes.recurrent_layer(
        name, neurons, wiring=None, time_input=task.time_input, cell_options=cell_options
    )


def build_model(
    name: str,
    neurons: int,
    task: Task,
    timesteps: int,
    features: int,
    cell_options: dict | None = None,
    learning_rate: float = LEARNING_RATE,
) -> keras.Model:
    """`Input -> [Masking] -> recurrent -> Dense` for `task`, compiled with Adam and XLA.

    Args:
        name: One of `MODELS`.
        neurons: Number of neurons.
        task: The task (its kind, outputs, masking and elapsed-time input).
        timesteps: Sequence length.
        features: Input features per step.
        cell_options: For the cells: see `recurrent_layer`.
        learning_rate: Adam's learning rate.

    Returns:
        The compiled model, named `{task}_{model}_{neurons}`.

    Example:

    ```python
    model = build_model("lstm", 8, get_task("japanese_vowels"), 29, 12)
    ```
    """
    model = recipes.sequence_model(
        recurrent_layer(name, neurons, task, cell_options),
        timesteps,
        features,
        task.outputs,
        task.kind,
        masked=task.masked,
        name=f"{task.name}_{name}_{neurons}",
    )
    return recipes.compile_model(model, task.kind, learning_rate, jit_compile=True)


def recurrent_parameters(model) -> int:
    """Trainable parameters of the model (recurrent layer and head)."""
    return int(sum(np.prod(v.shape) for v in model.trainable_weights))
