"""The generic recipe: a keras_biosyn cell's recurrent layer, a sequence model, compile and fit.

`wiring_by_name` makes a wiring by name, `cell_layer` wraps a keras_biosyn
cell on it in `keras.layers.RNN`, `sequence_model` reads whole sequences
through any recurrent layer (`Input -> [Masking] -> rnn -> Dense`),
`compile_model` compiles it (Adam, the task's loss) and `fit` trains it
(early stopping on the validation loss, best weights kept).
`keras_biosyn.benchmarking` adds the baselines and the 0.1 defaults, and the
command line the main job's presets.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras

from keras_biosyn.cells import BioSynLTCCell, CTRNNCell
from keras_biosyn.datasets.splits import Split
from keras_biosyn.utils.validation import check_choice, check_int
from keras_biosyn.wirings import AutoNCP, FullyConnected, Random

__all__ = [
    "CELLS",
    "KINDS",
    "LEARNING_RATE",
    "WIRINGS",
    "cell_layer",
    "compile_model",
    "fit",
    "sequence_model",
    "wiring_by_name",
]

WIRINGS = ("fully_connected", "auto_ncp", "random")
# the keras_biosyn cells by name, each layer named after its cell
CELLS = ("biosyn_ltc", "ctrnn")
KINDS = ("classification", "regression")
LEARNING_RATE = 0.01


def wiring_by_name(name: str, neurons: int, output_size: int | None = None, seed: int = 0):
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


def cell_layer(
    cell: str,
    neurons: int,
    wiring: str | None = "fully_connected",
    seed: int = 0,
    **cell_options,
) -> keras.layers.RNN:
    """`keras.layers.RNN` over the keras_biosyn cell named by `cell`, on a wiring by name.

    `"biosyn_ltc"` is a `BioSynLTCCell` and `"ctrnn"` a `CTRNNCell`; the layer
    is named after the cell.

    Args:
        cell: One of `CELLS`.
        neurons: Number of neurons.
        wiring: A name of `WIRINGS` made with `seed` by `wiring_by_name`, or
            `None` for a fully connected circuit whose polarities follow the
            global random seed.
        seed: The wiring's seed.
        **cell_options: More keyword arguments of the cell (e.g.
            `time_input=True`, `solver="rk4"`).

    Returns:
        A Keras layer mapping `(batch, time, features)` to `(batch, outputs)`.

    Example:

    ```python
    layer = cell_layer("biosyn_ltc", 8, "auto_ncp")
    outputs = layer(keras.ops.zeros((4, 20, 3)))              # (4, 2)
    ```
    """
    check_choice("cell", cell, CELLS)
    check_int("neurons", neurons, minimum=1)
    units = neurons if wiring is None else wiring_by_name(wiring, neurons, seed=seed)
    cell_class = BioSynLTCCell if cell == "biosyn_ltc" else CTRNNCell
    return keras.layers.RNN(cell_class(units, **cell_options), name=cell)


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
        rnn: The recurrent layer (e.g. from `cell_layer`).
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
    model = sequence_model(cell_layer("biosyn_ltc", 8), 29, 12, 9)
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
    model = compile_model(sequence_model(cell_layer("biosyn_ltc", 8), 29, 12, 9))
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
    model = compile_model(sequence_model(cell_layer("biosyn_ltc", 8), 29, 12, 9))
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
