"""The benchmark's models: the cells of `keras_biosyn.recipes`, the baselines, earlier defaults."""

from __future__ import annotations

import keras
import numpy as np

from keras_biosyn import recipes
from keras_biosyn.benchmarking.tasks import Task
from keras_biosyn.utils.validation import check_choice, check_int

__all__ = [
    "BASELINES",
    "CELL_MODELS",
    "DEFAULTS_0_1",
    "MODELS",
    "PAST_DEFAULTS",
    "benchmark_layer",
    "build_model",
    "recurrent_parameters",
]

# BioSynLTCCell with the defaults of earlier versions, to compare with today's: 0.1's solver,
# unfolds, capacitances and input mapping; 0.2's input mapping (the rest of 0.2 is today's).
PAST_DEFAULTS = {
    "biosyn_ltc_0.1": {
        "solver": "semi_implicit",
        "ode_unfolds": 6,
        "cm": (0.4, 0.6),
        "input_mapping": "affine",
    },
    "biosyn_ltc_0.2": {"input_mapping": "affine"},
}
DEFAULTS_0_1 = PAST_DEFAULTS["biosyn_ltc_0.1"]
# the models built around a keras_biosyn cell: the ones that take a wiring and cell options
CELL_MODELS = ("biosyn_ltc", *PAST_DEFAULTS, "ctrnn")
# `ncps_ltc` is `ncps.keras.LTC` (ncps 1.0.1, from the `bench` extra)
BASELINES = ("lstm", "gru", "ncps_ltc")
MODELS = (*CELL_MODELS, *BASELINES)


def benchmark_layer(
    model: str,
    neurons: int,
    wiring: str | None = "fully_connected",
    seed: int = 0,
    *,
    time_input: bool = False,
    cell_options: dict | None = None,
) -> keras.layers.Layer:
    """The recurrent layer of `neurons` units of the benchmark model `model` (one of `MODELS`).

    The cells (`CELL_MODELS`) are `keras_biosyn.recipes.cell_layer`:
    `"biosyn_ltc"` (`BioSynLTCCell` with today's defaults), `"biosyn_ltc_0.1"`
    and `"biosyn_ltc_0.2"` (with those of keras_biosyn 0.1 and 0.2,
    `PAST_DEFAULTS`) and `"ctrnn"` (`CTRNNCell`); the
    baselines (`BASELINES`) are `keras.layers.LSTM`, `keras.layers.GRU` and
    `"ncps_ltc"` (`ncps.keras.LTC`, from the `bench` extra). The layer is named
    after the model (`"biosyn_ltc"` for every BioSynLTC model).

    Args:
        model: One of `MODELS`.
        neurons: Number of neurons (units of the baselines).
        wiring: For the cells: a name of `keras_biosyn.recipes.WIRINGS` made
            with `seed`, or `None` for a fully connected circuit whose
            polarities follow the global random seed. The baselines ignore it.
        seed: The wiring's seed.
        time_input: For the cells: the last input feature is the elapsed time
            (the baselines see it as a plain feature).
        cell_options: For the cells only: extra keyword arguments of the cell
            (e.g. `{"solver": "exponential", "ode_unfolds": 1}`); a `"wiring"`
            entry there replaces `wiring`.

    Returns:
        The Keras layer, reading `(batch, time, features)`.

    Example:

    ```python
    benchmark_layer("biosyn_ltc_0.1", 8).cell.ode_unfolds     # 6
    benchmark_layer("biosyn_ltc_0.2", 8).cell.input_mapping   # "affine"
    benchmark_layer("lstm", 8).name                           # "lstm"
    ```
    """
    if cell_options and model not in CELL_MODELS:
        raise ValueError(
            f"cell_options apply to the cells only ({list(CELL_MODELS)}). "
            f"Received: model={model!r}"
        )
    check_choice("model", model, MODELS)
    check_int("neurons", neurons, minimum=1)
    if model == "lstm":
        return keras.layers.LSTM(neurons, name=model)
    if model == "gru":
        return keras.layers.GRU(neurons, name=model)
    if model == "ncps_ltc":
        try:
            import ncps.keras
        except ImportError as error:
            raise ImportError(
                'The ncps baseline needs ncps 1.0.1: pip install "keras-biosyn[bench]"'
            ) from error
        return ncps.keras.LTC(neurons, name=model)
    options = {"time_input": time_input, **(cell_options or {})}
    wiring = options.pop("wiring", wiring)
    if model in PAST_DEFAULTS:
        past = dict(PAST_DEFAULTS[model])
        if "cm" in past:
            past["cm_initializer"] = keras.initializers.RandomUniform(*past.pop("cm"))
        options = {**past, **options}
    cell = "biosyn_ltc" if model in PAST_DEFAULTS else model
    return recipes.cell_layer(cell, neurons, wiring, seed, **options)


def build_model(
    name: str,
    neurons: int,
    task: Task,
    timesteps: int,
    features: int,
    cell_options: dict | None = None,
    learning_rate: float = recipes.LEARNING_RATE,
) -> keras.Model:
    """`Input -> [Masking] -> recurrent -> Dense` for `task`, compiled with Adam and XLA.

    The cells read the task's elapsed time natively (`time_input`) and, unless
    `cell_options` name a `"wiring"`, are fully connected with polarities that
    follow the run's seed.

    Args:
        name: One of `MODELS`.
        neurons: Number of neurons.
        task: The task (its kind, outputs, masking and elapsed-time input).
        timesteps: Sequence length.
        features: Input features per step.
        cell_options: For the cells: extra keyword arguments of the BioSynLTC
            or CT-RNN cell (e.g. `{"solver": "exponential", "ode_unfolds": 1}`),
            and `"wiring"`: a name of `keras_biosyn.recipes.WIRINGS` (see
            `benchmark_layer`).
        learning_rate: Adam's learning rate.

    Returns:
        The compiled model, named `{task}_{model}_{neurons}`.

    Example:

    ```python
    model = build_model("lstm", 8, get_task("japanese_vowels"), 29, 12)
    ```
    """
    rnn = benchmark_layer(
        name, neurons, wiring=None, time_input=task.time_input, cell_options=cell_options
    )
    model = recipes.sequence_model(
        rnn,
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
