"""Copies of wired cells and models that compute every synapse in the dense layout.

TFLite Micro has no segment sums, so a cell that computes its synapses
sparsely is exported through a dense copy holding the same values. The copy
comes from `WiredCell.dense_config()`; its weights carry the same names, so
values are copied across by name.
"""

from __future__ import annotations

import keras

from keras_biosyn.cells import WiredCell


def assign_weights_by_name(source, target):
    """Assigns every weight of `target` the value of the weight of `source` with its name.

    `source` may hold more weights than `target`; every weight of `target`
    must have a namesake in `source`.

    Args:
        source: A built layer or model.
        target: A built layer or model whose weight names all occur in `source`.

    Returns:
        `target`.

    Example:

    ```python
    copy = keras.layers.Dense.from_config(dense.get_config())
    copy.build((None, 3))
    assign_weights_by_name(dense, copy)
    ```
    """
    values = {variable.name: variable for variable in source.weights}
    missing = [variable.name for variable in target.weights if variable.name not in values]
    if missing:
        raise ValueError(
            f"Expected every weight of {target.name!r} to have a namesake in {source.name!r}. "
            f"Received: no source weight for {missing}"
        )
    for variable in target.weights:
        variable.assign(values[variable.name])
    return target


def needs_dense_copy(layer) -> bool:
    """Whether `layer` is a recurrent layer whose wired cell computes synapses sparsely.

    Args:
        layer: Any Keras layer.

    Returns:
        `True` for a `keras.layers.RNN` of a `WiredCell` whose `dense_config()`
        is not `None`.
    """
    return (
        isinstance(layer, keras.layers.RNN)
        and isinstance(layer.cell, WiredCell)
        and layer.cell.dense_config() is not None
    )


def has_sparse_cells(model) -> bool:
    """Whether any recurrent layer of `model` (or `model` itself) needs a dense copy to export.

    Such a model has two export layouts: its own and the dense one.
    """
    return any(needs_dense_copy(layer) for layer in getattr(model, "layers", [model]))


def dense_copy(cell: WiredCell) -> WiredCell:
    """`cell`, or a built dense-layout copy of it sharing its values.

    Args:
        cell: A built `WiredCell`.

    Returns:
        `cell` itself when it already computes densely, else a new cell from
        `cell.dense_config()`, built and assigned `cell`'s weight values.

    Example:

    ```python
    dense = dense_copy(model.get_layer("ltc").cell)   # same outputs, dense ops only
    ```
    """
    config = cell.dense_config()
    if config is None:
        return cell
    copy = type(cell).from_config(config)
    copy.build((None, cell.input_dim + int(cell.time_input)))
    return assign_weights_by_name(cell, copy)


def dense_model_copy(model: keras.Model) -> keras.Model:
    """A clone of `model` whose wired cells all compute in the dense layout, with its values.

    Args:
        model: A built Keras model.

    Returns:
        A new model (`keras.models.clone_model`) in which each recurrent layer
        of a sparse `WiredCell` is rebuilt from its cell's `dense_config()`,
        every weight assigned from `model` by name, layer by layer.

    Example:

    ```python
    dense = dense_model_copy(model)   # same outputs as model, no segment sums
    ```
    """

    def clone(layer):
        config = layer.get_config()
        if needs_dense_copy(layer):
            config["cell"] = {**config["cell"], "config": layer.cell.dense_config()}
        return layer.__class__.from_config(config)

    cloned = keras.models.clone_model(model, clone_function=clone)
    for original, copy in zip(model.layers, cloned.layers, strict=True):
        assign_weights_by_name(original, copy)
    return cloned
