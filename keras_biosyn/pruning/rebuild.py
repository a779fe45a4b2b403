"""A new, independent model whose BioSynLTC layer computes a given (pruned) graph."""

from __future__ import annotations

import keras
import numpy as np

from keras_biosyn.interpretability.layer_selection import select_layer
from keras_biosyn.wirings import Explicit


def with_graph(
    model: keras.Model,
    adjacency,
    sensory_adjacency,
    layer: str | None = None,
    synapse_layout: str | None = None,
) -> keras.Model:
    """A copy of `model` whose BioSynLTC layer has the graph `adjacency`, `sensory_adjacency`.

    The layer's cell is rebuilt on an `keras_biosyn.wirings.Explicit` wiring
    of that graph, so its config (and a saved `.keras` file) holds the graph
    and `synapse_layout="auto"` is resolved by the density of the synapses
    that remain. Every weight is copied from `model`; the maximum
    conductances `w` and `sensory_w` of the removed synapses are set to 0. The
    copy is compiled like `model` (a fresh optimizer) when `model` is
    compiled. `model` itself is not changed.

    Args:
        model: A functional or Sequential Keras model with a
            `keras.layers.RNN(BioSynLTCCell)` among its own layers.
        adjacency: Recurrent polarities `[pre, post]` to keep (a subgraph of
            the layer's `adjacency` weight; 0 = removed).
        sensory_adjacency: Sensory polarities `[input, post]`.
        layer: Name of the BioSynLTC layer; may be omitted when there is one.
        synapse_layout: The rebuilt cell's `synapse_layout`, or `None` to keep
            the cell's own setting.

    Returns:
        The new Keras model.

    Example:

    ```python
    cell = model.get_layer("ltc").cell
    adjacency = cell.adjacency.numpy() * (np.abs(cell.w.numpy()) > 0.1)
    smaller = with_graph(model, adjacency, cell.sensory_adjacency.numpy())
    ```
    """
    rnn = select_layer(model, layer)
    adjacency = np.sign(np.asarray(adjacency)).astype(np.int8)
    sensory_adjacency = np.sign(np.asarray(sensory_adjacency)).astype(np.int8)
    copy = _rewired(model, rnn, adjacency, sensory_adjacency, synapse_layout)
    copy.set_weights(model.get_weights())
    new_cell = copy.get_layer(rnn.name).cell
    new_cell.adjacency.assign(adjacency.astype(new_cell.adjacency.dtype))
    new_cell.sensory_adjacency.assign(sensory_adjacency.astype(new_cell.sensory_adjacency.dtype))
    new_cell.w.assign(new_cell.w.numpy() * (adjacency != 0))
    new_cell.sensory_w.assign(new_cell.sensory_w.numpy() * (sensory_adjacency != 0))
    if getattr(model, "compiled", False):
        copy.compile_from_config(model.get_compile_config())
    return copy


def _rewired(model, rnn, adjacency, sensory_adjacency, synapse_layout=None) -> keras.Model:
    """A clone of `model` (fresh weights) whose `rnn` cell is built on this graph."""
    wiring = Explicit(adjacency, sensory_adjacency, output_size=rnn.cell.output_size)

    def clone(original):
        config = original.get_config()
        if original is rnn:
            cell_config = {
                **config["cell"]["config"],
                "units": keras.saving.serialize_keras_object(wiring),
            }
            if synapse_layout is not None:
                cell_config["synapse_layout"] = synapse_layout
            config["cell"] = {**config["cell"], "config": cell_config}
        return original.__class__.from_config(config)

    try:
        return keras.models.clone_model(model, clone_function=clone)
    except (TypeError, ValueError) as error:
        raise TypeError(
            "Expected a functional or Sequential keras Model (pruning rebuilds it with "
            f"keras.models.clone_model). Received: {type(model).__name__} "
            f"({str(error).strip().splitlines()[0]})"
        ) from error


# How each weight of a BioSynLTC cell is indexed by neuron: the axes to select kept neurons on.
_NEURON_AXES = {
    "cm": (0,),
    "gleak": (0,),
    "vleak": (0,),
    "w": (0, 1),
    "sigma": (0, 1),
    "mu": (0, 1),
    "erev": (0, 1),
    "adjacency": (0, 1),
    "sensory_w": (1,),
    "sensory_sigma": (1,),
    "sensory_mu": (1,),
    "sensory_erev": (1,),
    "sensory_adjacency": (1,),
}


def without_neurons(model: keras.Model, neurons, layer: str | None = None) -> keras.Model:
    """A copy of `model` whose BioSynLTC layer lacks the given neurons and their synapses.

    The kept neurons keep their order (so the output neurons, the first ones,
    stay first) and every parameter; the cell is rebuilt on an `Explicit`
    wiring of the remaining graph (`synapse_layout` as the cell's, `"auto"`
    resolved again). Output neurons cannot be removed: the layers after the
    cell read them. Remove only neurons that reach no output
    (`unreachable_neurons`) to keep the outputs exactly. The copy is compiled
    like `model` (a fresh optimizer); `model` is not changed.

    Args:
        model: A functional or Sequential Keras model with a BioSynLTC layer.
        neurons: Indices of the neurons to remove.
        layer: Name of the BioSynLTC layer; may be omitted when there is one.

    Returns:
        The new Keras model.

    Example:

    ```python
    cell = model.get_layer("ltc").cell
    dead = unreachable_neurons(cell.adjacency.numpy(), cell.output_size)
    smaller = without_neurons(model, dead)
    ```
    """
    rnn = select_layer(model, layer)
    cell = rnn.cell
    units = cell.adjacency.shape[0]
    neurons = sorted({int(n) for n in np.ravel(neurons)})
    wrong = [n for n in neurons if not cell.output_size <= n < units]
    if wrong or len(neurons) >= units:
        raise ValueError(
            f"Expected indices of non-output neurons, in [{cell.output_size}, {units}), "
            f"leaving at least one. Received: neurons={neurons}"
        )
    kept = np.setdiff1d(np.arange(units), neurons)
    adjacency = cell.adjacency.numpy()[np.ix_(kept, kept)]
    sensory = cell.sensory_adjacency.numpy()[:, kept]
    copy = _rewired(model, rnn, adjacency, sensory)
    for other, mine in zip(model.layers, copy.layers, strict=True):
        if other is not rnn:
            mine.set_weights(other.get_weights())
    old = {_name(w): w for w in cell.weights}
    new_cell = copy.get_layer(rnn.name).cell
    for weight in new_cell.weights:
        value = np.asarray(old[_name(weight)].numpy())
        for axis in _NEURON_AXES.get(_name(weight), ()):
            value = np.take(value, kept, axis=axis)
        weight.assign(value)
    if getattr(model, "compiled", False):
        copy.compile_from_config(model.get_compile_config())
    return copy


def _name(weight) -> str:
    return weight.path.rsplit("/", 1)[-1]
