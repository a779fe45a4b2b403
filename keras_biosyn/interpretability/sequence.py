"""Coefficients of the linear system along whole sequences."""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from keras_biosyn.interpretability.layer_selection import select_layer
from keras_biosyn.ops.linear_system import COEFFICIENTS
from keras_biosyn.utils.tensors import first_tensor
from keras_biosyn.utils.validation import check_int

__all__ = ["STATE", "SequenceRunner", "coefficient_names", "sequence_coefficients"]

# Not a coefficient: the membrane potentials `(units,)` entering each step, which
# `SequenceRunner` also outputs when its names include it.
STATE = "state"


class _CoefficientCell(keras.layers.Layer):
    """Runs a built BioSynLTCCell and outputs its step coefficients, flattened."""

    def __init__(self, cell, names, **kwargs):
        super().__init__(dtype=cell.dtype_policy, **kwargs)
        self.cell = cell
        self.names = names
        n, m = cell.units, cell.input_dim
        self.shapes = {name: _coefficient_shape(name, n, m) for name in names}
        self.state_size = cell.state_size
        self.output_size = int(sum(np.prod(shape) for shape in self.shapes.values()))

    def build(self, input_shape):
        self.built = True

    def call(self, inputs, states):
        # One evaluation of the conductances gives both the step and its system.
        _, new_states, system = self.cell.call_with_coefficients(inputs, states)
        if STATE in self.names:
            system = {**system, STATE: first_tensor(states)}
        batch = ops.shape(inputs)[0]
        flat = [ops.reshape(system[name], (batch, -1)) for name in self.names]
        return ops.concatenate(flat, axis=-1), new_states


def _coefficient_shape(name, units, input_dim):
    if name == "conductance":
        return (units, units)
    if name in ("sensory_conductance", "input_A", "input_b"):
        return (input_dim, units)
    return (units,)


class SequenceRunner:
    """A compiled model `(inputs chunk, state) -> (flat coefficients, state)` for one layer.

    Built once per layer (by `sequence_coefficients` for one call, by
    `CoefficientRecorder` for a whole training run): `layer_inputs` turns the
    model's inputs into the layer's, `run` evaluates the coefficients.

    Args:
        model: The model holding `rnn` among its own layers, or `rnn` itself.
        rnn: A built `keras.layers.RNN(BioSynLTCCell(...))` layer.
        names: Coefficient names (see `coefficient_names`), and optionally
            `STATE` (`"state"`): the membrane potentials `(units,)` entering
            each step, at which the coefficients are evaluated.

    Example:

    ```python
    runner = SequenceRunner(model, select_layer(model), coefficient_names(["tau"]))
    runner.run(runner.layer_inputs(x), batch_size=64, time_chunk=256)["tau"]
    ```
    """

    def __init__(self, model, rnn, names):
        cell = rnn.cell
        self.names = names
        self.coefficient_cell = _CoefficientCell(cell, names)
        self.units = cell.units
        layer_input = first_tensor(rnn.input)
        self.upstream = None
        if model is not rnn and layer_input is not first_tensor(model.inputs):
            self.upstream = keras.Model(first_tensor(model.inputs), layer_input)
        features = layer_input.shape[-1]
        self.features = features
        sequence = keras.Input((None, features), dtype=cell.compute_dtype)
        state = keras.Input((cell.units,), dtype=cell.compute_dtype)
        outputs, final_state = keras.layers.RNN(
            self.coefficient_cell, return_sequences=True, return_state=True
        )(sequence, initial_state=[state])
        self.model = keras.Model([sequence, state], [outputs, final_state])

    def layer_inputs(self, inputs) -> np.ndarray:
        """The layer's input sequences for the model's `inputs`, shape-checked.

        Runs the model's layers before the BioSynLTC layer (if any).

        Args:
            inputs: The model's inputs, `(batch, time, features)`.

        Returns:
            The layer's inputs `(batch, time, layer features)` as a NumPy array.
        """
        if self.upstream is None:
            sequences = np.asarray(inputs)
        else:
            sequences = np.asarray(self.upstream.predict_on_batch(inputs))
        if sequences.ndim != 3 or sequences.shape[-1] != self.features:
            raise ValueError(
                "Expected inputs that give the BioSynLTC layer sequences of shape "
                f"(batch, time, {self.features}). Received: inputs of shape "
                f"{np.shape(inputs)} giving {sequences.shape}"
            )
        return sequences

    def run(self, sequences, batch_size: int, time_chunk: int) -> dict:
        """Coefficients `(batch, time, ...)` as NumPy arrays, chunk by chunk.

        Args:
            sequences: The layer's inputs, from `layer_inputs`.
            batch_size: Sequences per batch.
            time_chunk: Steps per chunk (the state is carried across chunks).

        Returns:
            A dict of NumPy arrays, one per coefficient name.
        """
        batches = {}  # first sequence -> {name: chunks in time order}
        for start, _, values in self.chunks(sequences, batch_size, time_chunk):
            parts = batches.setdefault(start, {name: [] for name in self.names})
            for name in self.names:
                parts[name].append(values[name])
        return {
            name: np.concatenate(
                [np.concatenate(parts[name], axis=1) for parts in batches.values()], axis=0
            )
            for name in self.names
        }

    def chunks(self, sequences, batch_size: int, time_chunk: int):
        """Yields the coefficients one chunk at a time, for reducing them on the go.

        Batches of `batch_size` sequences in order, each in chunks of
        `time_chunk` steps in order, the state carried across the chunks of a
        batch; only one chunk is held at a time, so statistics over a whole
        dataset need no more memory than one chunk.

        Args:
            sequences: The layer's inputs, from `layer_inputs`.
            batch_size: Sequences per batch.
            time_chunk: Steps per chunk.

        Yields:
            Tuples `(first_sequence, first_step, values)`: `values` is a dict
            of NumPy arrays `(sequences in batch, steps in chunk, ...)`, one
            per coefficient name.

        Example:

        ```python
        runner = SequenceRunner(model, select_layer(model), ["tau"])
        for _, _, values in runner.chunks(runner.layer_inputs(x), 64, 256):
            print(values["tau"].max())
        ```
        """
        for start in range(0, len(sequences), batch_size):
            batch = sequences[start : start + batch_size]
            state = np.zeros((len(batch), self.units), dtype=self.model.inputs[1].dtype)
            for t in range(0, batch.shape[1], time_chunk):
                flat, state = self.model.predict_on_batch([batch[:, t : t + time_chunk], state])
                flat, state = np.asarray(flat), np.asarray(state)
                values, offset = {}, 0
                for name in self.names:
                    shape = self.coefficient_cell.shapes[name]
                    size = int(np.prod(shape))
                    part = flat[..., offset : offset + size]
                    values[name] = part.reshape(part.shape[:2] + shape)
                    offset += size
                yield start, t, values


def sequence_coefficients(
    model_or_layer,
    inputs,
    layer: str | None = None,
    coefficients=None,
    batch_size: int = 64,
    time_chunk: int = 256,
) -> dict:
    """Coefficients of the linear system at every step of whole sequences.

    For step `t` the coefficients are evaluated at the state entering the step
    and the step's input (see `BioSynLTCCell.linear_system`). The model's
    layers before the BioSynLTC layer are run first, so `inputs` are the
    model's own inputs. Work is split into batches of `batch_size` sequences
    and chunks of `time_chunk` steps (the state carried across chunks), so
    long sequences do not exhaust memory beyond the returned arrays. Masks are
    not applied: every step is evaluated.

    Args:
        model_or_layer: A Keras model with `keras.layers.RNN(BioSynLTCCell)`
            layers among its own layers, or such a layer (built).
        inputs: The model's inputs, `(batch, time, features)`.
        layer: Name of the BioSynLTC layer; may be omitted when there is one.
        coefficients: Names to compute (default: all of
            `keras_biosyn.ops.COEFFICIENTS`); leaving out `"conductance"`
            saves `units²` values per step.
        batch_size: Sequences per batch.
        time_chunk: Steps per chunk.

    Returns:
        A dict of NumPy arrays of shape `(batch, time, ...)`: `A`, `b`, `tau`
        `(batch, time, units)`, `conductance` `(batch, time, units, units)`,
        `sensory_conductance`, `input_A`, `input_b`
        `(batch, time, input_dim, units)`, and the leak and recurrent parts.

    Example:

    ```python
    model = keras.Sequential([keras.Input((20, 3)), keras.layers.RNN(BioSynLTCCell(8))])
    coefficients = sequence_coefficients(model, np.random.randn(4, 20, 3))
    coefficients["tau"].shape                         # (4, 20, 8)
    ```
    """
    check_int("batch_size", batch_size, minimum=1)
    check_int("time_chunk", time_chunk, minimum=1)
    rnn = select_layer(model_or_layer, layer)
    runner = SequenceRunner(model_or_layer, rnn, coefficient_names(coefficients))
    return runner.run(runner.layer_inputs(inputs), batch_size, time_chunk)


def coefficient_names(coefficients=None) -> list[str]:
    """The coefficient names to compute, checked against `keras_biosyn.ops.COEFFICIENTS`.

    Args:
        coefficients: A name, a sequence of names, or `None` for all.

    Returns:
        A non-empty list of names.

    Example:

    ```python
    coefficient_names("tau")                  # ["tau"]
    coefficient_names()                       # list(COEFFICIENTS)
    ```
    """
    if coefficients is None:
        return list(COEFFICIENTS)
    names = [coefficients] if isinstance(coefficients, str) else list(coefficients)
    unknown = sorted(set(names) - set(COEFFICIENTS))
    if unknown or not names:
        raise ValueError(
            f"Expected coefficient names among {list(COEFFICIENTS)}. "
            f"Received: coefficients={coefficients!r}"
        )
    return names
