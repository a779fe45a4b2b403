"""Ready-made models and training recipes used by the main job and the benchmarks."""

from __future__ import annotations

import keras

from keras_biosyn.cells import BioSynLTCCell
from keras_biosyn.datasets.japanese_vowels import Split
from keras_biosyn.utils.validation import check_choice, check_int
from keras_biosyn.wirings import AutoNCP, FullyConnected, Random

WIRINGS = ("fully_connected", "auto_ncp", "random")
MODELS = ("biosyn_ltc", "lstm")


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


def recurrent_layer(model: str, neurons: int, wiring: str = "fully_connected", seed: int = 0):
    """`keras.layers.RNN(BioSynLTCCell(...))` or a `keras.layers.LSTM` of `neurons` units."""
    check_choice("model", model, MODELS)
    check_int("neurons", neurons, minimum=1)
    if model == "lstm":
        return keras.layers.LSTM(neurons, name="lstm")
    return keras.layers.RNN(
        BioSynLTCCell(make_wiring(wiring, neurons, seed=seed)), name="biosyn_ltc"
    )


def sequence_classifier(
    rnn: keras.layers.Layer, timesteps: int, features: int, num_classes: int, name=None
) -> keras.Model:
    """`Input -> Masking(0) -> rnn -> Dense(softmax)` for zero-padded sequences."""
    inputs = keras.Input((timesteps, features), name="sequence")
    hidden = keras.layers.Masking(0.0, name="padding_mask")(inputs)
    hidden = rnn(hidden)
    outputs = keras.layers.Dense(num_classes, activation="softmax", name="classes")(hidden)
    return keras.Model(inputs, outputs, name=name)


def fit_classifier(
    model: keras.Model,
    train: Split,
    validation: Split,
    epochs: int = 60,
    batch_size: int = 32,
    learning_rate: float = 0.01,
    patience: int = 15,
    verbose="auto",
) -> keras.callbacks.History:
    """Adam on sparse cross-entropy, early stopping on validation loss (best weights kept)."""
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    stop = keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=patience, restore_best_weights=True
    )
    return model.fit(
        train.x,
        train.y,
        validation_data=(validation.x, validation.y),
        epochs=epochs,
        batch_size=batch_size,
        callbacks=[stop],
        verbose=verbose,
    )
