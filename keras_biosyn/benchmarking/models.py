"""The models compared by the benchmark, built the same way around their recurrent layer."""

from __future__ import annotations

import keras
import numpy as np

from keras_biosyn.benchmarking.tasks import Task
from keras_biosyn.cells import BioSynLTCCell, CTRNNCell
from keras_biosyn.recipes import make_wiring

MODELS = ("biosyn_ltc", "biosyn_ltc_0.1", "ctrnn", "lstm", "gru", "ncps_ltc")
# `biosyn_ltc_0.1`: BioSynLTCCell with keras_biosyn 0.1's defaults, to compare with today's.
DEFAULTS_0_1 = {"solver": "semi_implicit", "ode_unfolds": 6, "cm": (0.4, 0.6)}
LEARNING_RATE = 0.01


def recurrent_layer(name: str, neurons: int, task: Task, cell_options: dict | None = None):
    """The recurrent layer of `neurons` units; the cells read the elapsed time natively.

    `cell_options` are extra keyword arguments of the BioSynLTC or CT-RNN cell
    (e.g. `{"solver": "exponential", "ode_unfolds": 1}`), and `"wiring"`: a
    name of `keras_biosyn.recipes.WIRINGS` (default: fully connected).
    """
    options = {"time_input": task.time_input, **(cell_options or {})}
    if cell_options and name not in ("biosyn_ltc", "biosyn_ltc_0.1", "ctrnn"):
        raise ValueError(f"cell_options apply to the cells only. Received: model={name!r}")
    wiring = options.pop("wiring", None)
    # an int: a fully connected circuit whose polarities follow the run's seed
    units = neurons if wiring is None else make_wiring(wiring, neurons)
    if name == "biosyn_ltc":
        return keras.layers.RNN(BioSynLTCCell(units, **options), name=name)
    if name == "biosyn_ltc_0.1":
        old = {
            "solver": DEFAULTS_0_1["solver"],
            "ode_unfolds": DEFAULTS_0_1["ode_unfolds"],
            "cm_initializer": keras.initializers.RandomUniform(*DEFAULTS_0_1["cm"]),
        }
        return keras.layers.RNN(BioSynLTCCell(units, **{**old, **options}), name="biosyn_ltc")
    if name == "ctrnn":
        return keras.layers.RNN(CTRNNCell(units, **options), name=name)
    if name == "lstm":
        return keras.layers.LSTM(neurons, name=name)
    if name == "gru":
        return keras.layers.GRU(neurons, name=name)
    if name == "ncps_ltc":
        try:
            import ncps.keras
        except ImportError as error:
            raise ImportError(
                'The ncps baseline needs ncps 1.0.1: pip install "keras-biosyn[bench]"'
            ) from error
        return ncps.keras.LTC(neurons, name=name)
    raise ValueError(f"Expected a model among {list(MODELS)}. Received: model={name!r}")


def build_model(
    name: str,
    neurons: int,
    task: Task,
    timesteps: int,
    features: int,
    cell_options: dict | None = None,
    learning_rate: float = LEARNING_RATE,
):
    """`Input -> [Masking] -> recurrent -> Dense`, compiled with Adam and XLA."""
    inputs = keras.Input((timesteps, features))
    hidden = keras.layers.Masking(0.0)(inputs) if task.masked else inputs
    hidden = recurrent_layer(name, neurons, task, cell_options)(hidden)
    if task.kind == "classification":
        outputs = keras.layers.Dense(task.outputs, activation="softmax")(hidden)
        loss, metrics = "sparse_categorical_crossentropy", ["accuracy"]
    else:
        outputs = keras.layers.Dense(task.outputs)(hidden)
        loss, metrics = "mse", []
    model = keras.Model(inputs, outputs, name=f"{task.name}_{name}_{neurons}")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss=loss,
        metrics=metrics,
        jit_compile=True,
    )
    return model


def recurrent_parameters(model) -> int:
    """Trainable parameters of the model (recurrent layer and head)."""
    return int(sum(np.prod(v.shape) for v in model.trainable_weights))
