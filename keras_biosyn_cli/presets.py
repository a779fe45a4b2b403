"""The main job's presets (`keras-biosyn train`): its named classifier and its training.

Imported by the command that runs them, never at start-up: it imports Keras.
"""

from __future__ import annotations

import keras

from keras_biosyn.datasets.splits import Split
from keras_biosyn.recipes import LEARNING_RATE, compile_model, fit, sequence_model

__all__ = ["fit_classifier", "sequence_classifier"]


def sequence_classifier(
    rnn: keras.layers.Layer, timesteps: int, features: int, num_classes: int, name=None
) -> keras.Model:
    """The main job's classifier: `sequence_model` with its input, mask and head named.

    `Input("sequence") -> Masking(0, "padding_mask") -> rnn -> Dense(softmax, "classes")`
    for zero-padded sequences.

    Example:

    ```python
    model = sequence_classifier(cell_layer("biosyn_ltc", 8), 29, 12, 9)
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
