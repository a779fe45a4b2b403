"""Deriving deployable models from a trained one: a single-step (streaming) model and a
fixed-length sequence model (`fixed_length_model`), both at a fixed batch size."""

from __future__ import annotations

import keras

from keras_biosyn.cells import WiredCell
from keras_biosyn.export.dense_copy import dense_copy, dense_model_copy, has_sparse_cells
from keras_biosyn.export.device_step import DeviceStep
from keras_biosyn.export.vocabulary import CONVERTED_LAYOUTS
from keras_biosyn.utils.validation import check_choice, check_int

# Layers that act on each time step independently (on the last axis).
PER_STEP_LAYERS = (
    keras.layers.Dense,
    keras.layers.Activation,
    keras.layers.Dropout,
    keras.layers.GaussianNoise,
    keras.layers.LayerNormalization,
    keras.layers.BatchNormalization,
    keras.layers.ReLU,
    keras.layers.LeakyReLU,
    keras.layers.ELU,
    keras.layers.Softmax,
    keras.layers.Rescaling,
    keras.layers.Identity,
)
# Layers with nothing to do on one step (padding masks are a sequence notion).
SKIPPED_LAYERS = (keras.layers.InputLayer, keras.layers.Masking)
# The streaming model's state outputs are `new_state_<k>`, fed back as inputs `state_<k>`.
NEW_STATE = "new_state_"
# Keras' own cells, streamed as they are (the baselines: exported the same way, compared fairly).
KERAS_CELLS = (keras.layers.LSTMCell, keras.layers.GRUCell, keras.layers.SimpleRNNCell)
# Named in the errors of models that cannot be streamed.
WIRED_CELLS = "a WiredCell (BioSynLTCCell, CTRNNCell)"
STREAMABLE_CELLS = f"{WIRED_CELLS} or a Keras LSTMCell, GRUCell or SimpleRNNCell"


def _chain(model) -> list:
    """The model's layers as a single chain, or a ValueError saying why not."""
    if isinstance(model, keras.layers.RNN):
        return [model]
    if not isinstance(model, keras.Model):
        raise TypeError(f"Expected a keras Model or RNN layer. Received: {type(model).__name__}")
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        raise ValueError(
            "Only models with one input and one output can be streamed. "
            f"Received: {len(model.inputs)} inputs and {len(model.outputs)} outputs"
        )
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    if not isinstance(model, keras.Sequential):
        previous = model.inputs[0]
        for layer in layers:
            try:
                fed_by = layer.input
            except (AttributeError, ValueError):  # a layer used more than once
                fed_by = None
            if isinstance(fed_by, (list, tuple)) and fed_by:
                fed_by = fed_by[0]  # keras.layers.RNN lists its sequence (and mask) inputs
            if fed_by is not previous:
                raise ValueError(
                    "Only models whose layers form a single chain (each layer fed by the one "
                    f"before) can be streamed. Layer {layer.name!r} breaks the chain."
                )
            previous = layer.output
    return layers


def _check_streamable(layer):
    if isinstance(layer, keras.layers.RNN):
        if not isinstance(layer.cell, (WiredCell, *KERAS_CELLS)):
            raise ValueError(
                f"Layer {layer.name!r} is a recurrent layer of {type(layer.cell).__name__}; only "
                f"recurrent layers of {STREAMABLE_CELLS} can be streamed."
            )
        if layer.go_backwards:
            raise ValueError(
                f"Layer {layer.name!r} reads its sequence backwards, which needs the whole "
                "sequence first: it cannot be streamed (export mode='sequence' instead)."
            )
    elif isinstance(layer, keras.layers.TimeDistributed):
        _check_streamable(layer.layer)
    elif not isinstance(layer, PER_STEP_LAYERS + SKIPPED_LAYERS):
        raise ValueError(
            f"Layer {layer.name!r} ({type(layer).__name__}) is not known to act on each time step "
            "independently, so the model cannot be streamed step by step. Streamable layers: "
            f"recurrent layers of {STREAMABLE_CELLS} and "
            f"{sorted(cls.__name__ for cls in PER_STEP_LAYERS + SKIPPED_LAYERS)} "
            "(or TimeDistributed around them)."
        )


def streaming_model(model, batch_size: int | None = 1, export_layout: str = "dense"):
    """The single-step model `(x_t, state_0, ...) -> (y_t, new_state_0, ...)` of `model`.

    `model` must be a chain of one input, RNN layers of wired cells
    (`BioSynLTCCell`, `CTRNNCell`: any `keras_biosyn.cells.WiredCell`) or of
    Keras' own `LSTMCell`, `GRUCell` and `SimpleRNNCell` (`keras.layers.LSTM`
    and friends, streamed the same way for a fair baseline), and layers that
    act on each step (Dense, activations, normalisations, dropout; Masking is
    dropped: on a device, just do not feed padding). The step model shares the
    trained weights. Inputs are named `x_t` and `state_<k>` (one per state
    tensor, in layer order, zeros to start: a wired cell has one, an LSTM two,
    `h` then `c`); outputs `y_t` and `new_state_<k>`. Feed each
    `new_state_<k>` back as `state_<k>` at the next step. `y_t` at the last
    step equals the model's output. Each wired cell's step is computed by a
    `DeviceStep` (the same numbers in fewer ops, its membrane update marked
    for int8 export to keep in float32).

    Args:
        model: A built Keras model (or a bare `keras.layers.RNN` of a wired cell).
        batch_size: Fixed batch size of the step model (1 on a device;
            `None` for any).
        export_layout: `"dense"` (default) computes every cell in the dense
            layout, whose ops TFLite Micro supports; `"model"` keeps each
            cell's own `synapse_layout` (the sparse one needs
            UNSORTED_SEGMENT_SUM, which LiteRT has and TFLite Micro lacks).

    Returns:
        A functional `keras.Model` with inputs `[x_t, state_0, ...]` and
        outputs `{"y_t": ..., "new_state_0": ..., ...}`.

    Example:

    ```python
    step = streaming_model(model)
    outputs = step([x[:1, 0], np.zeros((1, units))])   # outputs["y_t"], outputs["new_state_0"]
    ```
    """
    check_choice("export_layout", export_layout, CONVERTED_LAYOUTS)
    if batch_size is not None:
        check_int("batch_size", batch_size, minimum=1)
    layers = _chain(model)
    for layer in layers:
        _check_streamable(layer)
    if not any(isinstance(layer, keras.layers.RNN) for layer in layers):
        raise ValueError(
            f"Expected at least one keras.layers.RNN layer of {STREAMABLE_CELLS} to stream. "
            f"Received: layers {[layer.name for layer in layers]}"
        )
    features = (model.inputs[0] if isinstance(model, keras.Model) else model.input).shape[-1]
    x_t = keras.Input((features,), batch_size=batch_size, name="x_t")
    inputs, outputs, hidden = [x_t], {}, x_t
    for layer in layers:
        if isinstance(layer, SKIPPED_LAYERS):
            continue
        if isinstance(layer, keras.layers.RNN):
            first = len(inputs) - 1  # the number of this layer's first state
            states = [
                keras.Input((size,), batch_size=batch_size, name=f"state_{first + i}")
                for i, size in enumerate(_state_sizes(layer.cell))
            ]
            if isinstance(layer.cell, WiredCell):
                cell = layer.cell if export_layout == "model" else dense_copy(layer.cell)
                hidden, new_states = DeviceStep(cell)(hidden, states)
            else:
                hidden, new_states = layer.cell(hidden, states, training=False)
            for i, new_state in enumerate(new_states):
                outputs[f"{NEW_STATE}{first + i}"] = new_state
            inputs.extend(states)
        elif isinstance(layer, keras.layers.TimeDistributed):
            hidden = layer.layer(hidden, training=False)
        else:
            hidden = layer(hidden, training=False)
    outputs = {"y_t": hidden, **outputs}
    return keras.Model(inputs, outputs, name=f"{getattr(model, 'name', 'model')}_step")


def _state_sizes(cell) -> list[int]:
    size = cell.state_size
    return list(size) if isinstance(size, (list, tuple)) else [size]


def fixed_length_model(
    model, sequence_length: int, batch_size: int | None = 1, export_layout: str = "dense"
):
    """`model` at a fixed sequence length (and batch size), for sequence export.

    Args:
        model: A built Keras model with one sequence input `(time, features)`.
        sequence_length: Steps per sequence.
        batch_size: Fixed batch size (1 on a device).
        export_layout: As for `streaming_model`.

    Returns:
        A functional `keras.Model` sharing the trained weights.
    """
    check_int("sequence_length", sequence_length, minimum=1)
    check_choice("export_layout", export_layout, CONVERTED_LAYOUTS)
    if batch_size is not None:
        check_int("batch_size", batch_size, minimum=1)
    source = model
    if has_sparse_cells(model) and export_layout == "dense":
        if not isinstance(model, keras.Model):
            raise ValueError("Wrap the RNN layer in a keras Model to export it densely.")
        source = dense_model_copy(model)
    features = (model.inputs[0] if isinstance(model, keras.Model) else model.input).shape[-1]
    inputs = keras.Input((sequence_length, features), batch_size=batch_size, name="sequence")
    return keras.Model(inputs, source(inputs), name=f"{getattr(model, 'name', 'model')}_sequence")
