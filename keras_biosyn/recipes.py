"""The one model factory and fit recipe of the main job and of `keras-biosyn benchmark`.

A model is `recurrent_layer` (a BioSynLTC or CT-RNN circuit, or a baseline)
wrapped by `sequence_model` (`Input -> [Masking] -> recurrent -> Dense`),
compiled by `compile_model` (Adam, the task's loss) and trained by `fit`
(early stopping on the validation loss, best weights kept).
`sequence_classifier` and `fit_classifier` are the main job's settings of them
(`keras-biosyn train`); `keras_biosyn.benchmarking` adds only what is
benchmark-specific (tasks, seeds, timing, reports).
"""

from __future__ import annotations

from collections.abc import Sequence

import keras

from keras_biosyn.cells import BioSynLTCCell, CTRNNCell
from keras_biosyn.datasets.splits import Split
from keras_biosyn.utils.validation import check_choice, check_int
from keras_biosyn.wirings import AutoNCP, FullyConnected, Random

__all__ = [
    "CELL_MODELS",
    "DEFAULTS_0_1",
    "KINDS",
    "LEARNING_RATE",
    "MODELS",
    "WIRINGS",
    "compile_model",
    "fit",
    "fit_classifier",
    "make_wiring",
    "recurrent_layer",
    "sequence_classifier",
    "sequence_model",
]

WIRINGS = ("fully_connected", "auto_ncp", "random")
MODELS = ("biosyn_ltc", "biosyn_ltc_0.1", "ctrnn", "lstm", "gru", "ncps_ltc")
# the models built around a keras_biosyn cell: the ones that take a wiring and cell options
CELL_MODELS = ("biosyn_ltc", "biosyn_ltc_0.1", "ctrnn")
# `biosyn_ltc_0.1`: BioSynLTCCell with keras_biosyn 0.1's defaults, to compare with today's.
DEFAULTS_0_1 = {"solver": "semi_implicit", "ode_unfolds": 6, "cm": (0.4, 0.6)}
KINDS = ("classification", "regression")
LEARNING_RATE = 0.01


def make_wiring(name: str, neurons: int, output_size: int | None = None, seed: int = 0):
    """A wiring by name: `"fully_connected"`, `"auto_ncp"` or `"random"` (50 % sparse).

    `output_size` defaults to every neuron for the dense wirings and to a third
    of the neurons (at least 1) for `"auto_ncp"`.
    """
    check_choice("wiring", name, WIRINGS)
    if name == "auto_ncp":
        output_size = output_size or max(neurons // 3, 1)
        return AutoNCP(neurons, output_size=output_size, seed=seed)
    if name == "random":
        return Random(neurons, output_size=output_size, sparsity=0.5, seed=seed)
    return FullyConnected(neurons, output_size=output_size, seed=seed)


def recurrent_layer(
    model: str,
    neurons: int,
    wiring: str | None = "fully_connected",
    seed: int = 0,
    *,
    time_input: bool = False,
    cell_options: dict | None = None,
) -> keras.layers.Layer:
    """The recurrent layer of `neurons` units named by `model` (one of `MODELS`).

    The cells (`CELL_MODELS`) are wrapped in `keras.layers.RNN`: `"biosyn_ltc"`
    (`BioSynLTCCell` with today's defaults), `"biosyn_ltc_0.1"` (with
    keras_biosyn 0.1's, `DEFAULTS_0_1`) and `"ctrnn"` (`CTRNNCell`); the
    baselines are `keras.layers.LSTM`, `keras.layers.GRU` and `"ncps_ltc"`
    (`ncps.keras.LTC`, from the `bench` extra). The layer is named after the
    model (`"biosyn_ltc"` for both BioSynLTC models).

    Args:
        model: One of `MODELS`.
        neurons: Number of neurons (units of the baselines).
        wiring: For the cells: a name of `WIRINGS` made with `seed` by
            `make_wiring`, or `None` for a fully connected circuit whose
            polarities follow the global random seed. The baselines ignore it.
        seed: The wiring's seed.
        time_input: For the cells: the last input feature is the elapsed time
            (the baselines see it as a plain feature).
        cell_options: For the cells only: extra keyword arguments of the cell
            (e.g. `{"solver": "exponential", "ode_unfolds": 1}`); a `"wiring"`
            entry there replaces `wiring`.

    Returns:
        A Keras layer mapping `(batch, time, features)` to `(batch, outputs)`.

    Example:

    ```python
    layer = recurrent_layer("biosyn_ltc", 8, "auto_ncp")
    outputs = layer(keras.ops.zeros((4, 20, 3)))              # (4, 2)
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
    units = neurons if wiring is None else make_wiring(wiring, neurons, seed=seed)
    if model == "ctrnn":
        return keras.layers.RNN(CTRNNCell(units, **options), name=model)
    if model == "biosyn_ltc_0.1":
        old = {
            "solver": DEFAULTS_0_1["solver"],
            "ode_unfolds": DEFAULTS_0_1["ode_unfolds"],
            "cm_initializer": keras.initializers.RandomUniform(*DEFAULTS_0_1["cm"]),
        }
        options = {**old, **options}
    return keras.layers.RNN(BioSynLTCCell(units, **options), name="biosyn_ltc")


def sequence_model(
    rnn: keras.layers.Layer,
    timesteps: int,
    features: int,
    outputs: int,
    kind: str = "classification",
    masked: bool = True,
    name: str | None = None,
    *,
    input_name: str | None = None,
    mask_name: str | None = None,
    output_name: str | None = None,
) -> keras.Model:
    """`Input -> [Masking(0)] -> rnn -> Dense`: a model reading whole sequences.

    Args:
        rnn: The recurrent layer (e.g. from `recurrent_layer`).
        timesteps: Sequence length of the input.
        features: Input features per step.
        outputs: Number of classes (`"classification"`: a softmax head) or
            of regression targets (`"regression"`: a linear head).
        kind: One of `KINDS`.
        masked: Start with `Masking(0.0)` for zero-padded sequences.
        name: The model's name.
        input_name, mask_name, output_name: Names of the input, the masking
            layer and the head (`None`: Keras' default names).

    Returns:
        An uncompiled `keras.Model` (see `compile_model`).

    Example:

    ```python
    model = sequence_model(recurrent_layer("lstm", 8), 29, 12, 9)
    model.output_shape                                        # (None, 9)
    ```
    """
    check_choice("kind", kind, KINDS)
    inputs = keras.Input((timesteps, features), name=input_name)
    hidden = keras.layers.Masking(0.0, name=mask_name)(inputs) if masked else inputs
    hidden = rnn(hidden)
    activation = "softmax" if kind == "classification" else None
    head = keras.layers.Dense(outputs, activation=activation, name=output_name)
    return keras.Model(inputs, head(hidden), name=name)


def compile_model(
    model: keras.Model,
    kind: str = "classification",
    learning_rate: float = LEARNING_RATE,
    jit_compile="auto",
) -> keras.Model:
    """Compiles `model` with Adam: sparse cross-entropy and accuracy, or the MSE.

    Args:
        model: A model from `sequence_model`.
        kind: One of `KINDS`: `"classification"` (sparse labels) or
            `"regression"`.
        learning_rate: Adam's learning rate.
        jit_compile: As for `keras.Model.compile` (`True`: XLA).

    Returns:
        The same model, compiled.

    Example:

    ```python
    model = compile_model(sequence_model(recurrent_layer("lstm", 8), 29, 12, 9))
    ```
    """
    check_choice("kind", kind, KINDS)
    if kind == "classification":
        loss, metrics = "sparse_categorical_crossentropy", ["accuracy"]
    else:
        loss, metrics = "mse", []
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss=loss,
        metrics=metrics,
        jit_compile=jit_compile,
    )
    return model


def fit(
    model: keras.Model,
    train: Split,
    validation: Split,
    epochs: int = 60,
    batch_size: int = 32,
    patience: int = 15,
    *,
    validation_batch_size: int | None = None,
    callbacks: Sequence[keras.callbacks.Callback] = (),
    verbose="auto",
) -> keras.callbacks.History:
    """Fits a compiled model with early stopping on the validation loss (best weights kept).

    Args:
        model: A compiled model (see `compile_model`).
        train: The training `Split` (`x`, `y`).
        validation: The validation `Split`, monitored for early stopping.
        epochs: Maximum number of epochs.
        batch_size: Training batch size.
        patience: Epochs without a better validation loss before stopping.
        validation_batch_size: As for `keras.Model.fit` (one batch of the
            whole split: one XLA compilation).
        callbacks: More callbacks, called after the early stopping.
        verbose: As for `keras.Model.fit`.

    Returns:
        The `keras.callbacks.History` of the run.

    Example:

    ```python
    splits = load_japanese_vowels()
    model = compile_model(sequence_model(recurrent_layer("lstm", 8), 29, 12, 9))
    history = fit(model, splits["train"], splits["validation"], epochs=2)
    ```
    """
    stop = keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=patience, restore_best_weights=True
    )
    return model.fit(
        train.x,
        train.y,
        validation_data=(validation.x, validation.y),
        epochs=epochs,
        batch_size=batch_size,
        validation_batch_size=validation_batch_size,
        callbacks=[stop, *callbacks],
        verbose=verbose,
    )


def sequence_classifier(
    rnn: keras.layers.Layer, timesteps: int, features: int, num_classes: int, name=None
) -> keras.Model:
    """The main job's classifier: `sequence_model` with its input, mask and head named.

    `Input("sequence") -> Masking(0, "padding_mask") -> rnn -> Dense(softmax, "classes")`
    for zero-padded sequences.

    Example:

    ```python
    model = sequence_classifier(recurrent_layer("biosyn_ltc", 8), 29, 12, 9)
    ```
    """
    return sequence_model(
        rnn,
        timesteps,
        features,
        num_classes,
        "classification",
        masked=True,
        name=name,
        input_name="sequence",
        mask_name="padding_mask",
        output_name="classes",
    )


def fit_classifier(
    model: keras.Model,
    train: Split,
    validation: Split,
    epochs: int = 60,
    batch_size: int = 32,
    learning_rate: float = LEARNING_RATE,
    patience: int = 15,
    verbose="auto",
) -> keras.callbacks.History:
    """The main job's training: `compile_model` (classification) then `fit`.

    Adam on sparse cross-entropy, early stopping on validation loss (best
    weights kept).

    Example:

    ```python
    history = fit_classifier(model, splits["train"], splits["validation"], epochs=2)
    ```
    """
    compile_model(model, "classification", learning_rate)
    return fit(model, train, validation, epochs, batch_size, patience, verbose=verbose)
