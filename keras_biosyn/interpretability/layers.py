"""Finding the BioSynLTC layers of a model."""

from __future__ import annotations

import keras

from keras_biosyn.cells import BioSynLTCCell


def biosyn_layers(model_or_layer) -> dict[str, keras.layers.RNN]:
    """The `keras.layers.RNN(BioSynLTCCell(...))` layers of a model, by name.

    Looks at the model's own layers (a bare RNN layer counts as a model of
    one layer). Layers inside nested models or `Bidirectional` wrappers are
    not listed: their inputs are not reachable from the outer model's graph.
    """
    if _is_biosyn_rnn(model_or_layer):
        return {model_or_layer.name: model_or_layer}
    layers = getattr(model_or_layer, "layers", None)
    if layers is None:
        raise TypeError(
            "Expected a keras Model or a keras.layers.RNN(BioSynLTCCell(...)) layer. "
            f"Received: {type(model_or_layer).__name__}"
        )
    return {layer.name: layer for layer in layers if _is_biosyn_rnn(layer)}


def select_layers(model_or_layer, layer: str | None = None) -> dict[str, keras.layers.RNN]:
    """The layer called `layer`, or every BioSynLTC layer when `layer is None`.

    Raises `ValueError` when the model has no BioSynLTC layer or no layer of
    that name.
    """
    found = biosyn_layers(model_or_layer)
    if not found:
        raise ValueError(
            "Expected a model with at least one keras.layers.RNN(BioSynLTCCell(...)) layer "
            "among its own layers. Received: a model with layers "
            f"{[layer.name for layer in getattr(model_or_layer, 'layers', [])]}"
        )
    if layer is None:
        return found
    if layer not in found:
        raise ValueError(
            f"Expected `layer` to name one of the BioSynLTC layers {sorted(found)}. "
            f"Received: layer={layer!r}"
        )
    return {layer: found[layer]}


def _is_biosyn_rnn(layer) -> bool:
    return isinstance(layer, keras.layers.RNN) and isinstance(
        getattr(layer, "cell", None), BioSynLTCCell
    )
