"""Finding the BioSynLTC layers of a model, and choosing one of them."""

from __future__ import annotations

from collections.abc import Iterable

import keras

from keras_biosyn.cells import BioSynLTCCell

__all__ = ["biosyn_layers", "select_layer", "select_layer_name", "select_layers"]


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


def select_layer(model_or_layer, layer: str | None = None) -> keras.layers.RNN:
    """The one BioSynLTC layer called `layer`, or the model's only one when `layer is None`.

    Args:
        model_or_layer: A Keras model with `keras.layers.RNN(BioSynLTCCell)`
            layers among its own layers, or such a layer.
        layer: Layer name; may be omitted when the model has one BioSynLTC
            layer.

    Returns:
        The `keras.layers.RNN` layer.

    Raises `ValueError` as `select_layers` does, and when `layer is None` but
    the model has several BioSynLTC layers.

    Example:

    ```python
    rnn = select_layer(model)              # the model's one BioSynLTC layer
    rnn = select_layer(model, "ltc_2")     # one of several, by name
    ```
    """
    layers = select_layers(model_or_layer, layer)
    return layers[select_layer_name(layers, layer, holder="This model has", kind="BioSynLTC")]


def select_layer_name(
    names: Iterable[str],
    layer: str | None = None,
    holder: str = "This model has",
    kind: str = "BioSynLTC",
) -> str:
    """`layer` if it is one of `names`, or the only name when `layer is None`.

    The one place that asks for `layer=` when there are several layers to
    choose from, whether they are a model's layers or a recording's.

    Args:
        names: The layer names to choose from (at least one).
        layer: The chosen name, or `None`.
        holder: Start of the error message, e.g. `"This recording holds"`.
        kind: Word before "layers" in the error messages (`""` for none).

    Returns:
        The chosen name.

    Example:

    ```python
    select_layer_name(["ltc"])                               # "ltc"
    select_layer_name(["a", "b"], "b")                       # "b"
    ```
    """
    names = sorted(names)
    layers = f"{kind} layers" if kind else "layers"
    if not names:
        raise ValueError(f"Expected at least one layer to choose from. Received: names={names}")
    if layer is None:
        if len(names) > 1:
            raise ValueError(
                f"{holder} several {layers} {names}: pass `layer=` to choose one. "
                "Received: layer=None"
            )
        return names[0]
    if layer not in names:
        raise ValueError(
            f"Expected `layer` to name one of the {layers} {names}. Received: layer={layer!r}"
        )
    return layer


def _is_biosyn_rnn(layer) -> bool:
    return isinstance(layer, keras.layers.RNN) and isinstance(
        getattr(layer, "cell", None), BioSynLTCCell
    )
