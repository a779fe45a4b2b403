"""`WiredCell`: what every cell whose neurons follow a `Wiring` shares.

The wiring (int or `Wiring`), the graph weights, the input and output
mappings, the elapsed-time input, the ODE solver, the `call` skeleton and the
serialization live here. A subclass supplies two things: its neuron and
synapse parameters (`build_circuit`) and its drive (`drive`: the capacitance
and the right-hand side `(numerator, denominator)` of
`capacitance dv/dt = numerator - denominator * v` for one input step).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from keras_biosyn import solvers
from keras_biosyn.ops.elapsed_time import substep_size
from keras_biosyn.utils.validation import check_choice, check_float, check_int
from keras_biosyn.wirings import FullyConnected, Wiring

MAPPINGS = ("affine", "linear", None)
# The input mapping may also mix the features: "dense" is `u @ input_w + input_b`.
INPUT_MAPPINGS = ("affine", "linear", "dense", None)


class WiredCell(keras.layers.Layer):
    """Base class of recurrent cells of neurons connected by a `Wiring`.

    Args:
        units: Number of neurons (an int, giving a
            `wirings.FullyConnected(units, output_size)` circuit) or a
            `keras_biosyn.wirings.Wiring`.
        output_size: Number of output neurons (the first ones of the circuit).
            Defaults to `units`; with a wiring, defaults to (and must equal)
            the wiring's `output_size`.
        ode_unfolds: Solver steps per input step, a positive int, or `None`
            (default) for one per synapse on the way from the inputs to the
            output neurons (`wiring.depth()`): 1 for a fully connected circuit,
            where every neuron receives the inputs, 3 for an NCP (sensory ->
            inter -> command -> motor), so that an input reaches the outputs
            within its own step. Resolved when the cell is built and saved as
            that int.
        solver: `"exponential"` (default; the exact solution of the frozen
            linear system over the step), `"semi_implicit"` (implicit Euler on
            it, the LTC reference's fused step), both unconditionally stable,
            or `"explicit_euler"` and `"rk4"` (for accuracy studies). keras_biosyn
            0.1 defaulted to `"semi_implicit"` with 6 unfolds; models saved then
            keep that setting, which their configs name.
        input_mapping: `"affine"` (`input_w * u + input_b`), `"linear"`
            (`input_w * u`) or `None` (identity), per input feature; or
            `"dense"` (`u @ input_w + input_b`, `input_w` an `M x M` matrix
            that starts as the identity): each sensory synapse then reads a
            learned mix of the input features instead of one feature.
        output_mapping: `"affine"`, `"linear"` or `None`, per output neuron.
        time_input: If `True`, the last input feature is the elapsed time
            `dt > 0` of each step (irregular sampling) and the other features
            are the inputs. Otherwise every step lasts `dt = 1`. A step whose
            `dt` is not finite or not positive leaves the state unchanged (no
            time elapses), so bad time stamps can never produce NaN.
        epsilon: Small non-negative number guarding the solvers' divisions.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.
    """

    # The recurrent and sensory weights whose signs are the synapses' polarities.
    POLARITY_WEIGHTS: tuple[str, str] = ("w", "sensory_w")

    def __init__(
        self,
        units: int | Wiring,
        output_size: int | None = None,
        ode_unfolds: int | None = None,
        solver: str = solvers.DEFAULT_SOLVER,
        input_mapping: str | None = "affine",
        output_mapping: str | None = "affine",
        time_input: bool = False,
        epsilon: float = 1e-8,
        **kwargs,
    ):
        wiring = as_wiring(units, output_size)
        if ode_unfolds is not None:
            ode_unfolds = check_int("ode_unfolds", ode_unfolds, minimum=1)
        solver_step = solvers.get(solver)
        input_mapping = check_choice("input_mapping", input_mapping, INPUT_MAPPINGS)
        output_mapping = check_choice("output_mapping", output_mapping, MAPPINGS)
        if not isinstance(time_input, bool):
            raise TypeError(
                f"Expected `time_input` to be a bool. Received: time_input={time_input!r}"
            )
        epsilon = check_float("epsilon", epsilon, minimum=0.0)
        super().__init__(**kwargs)
        self.wiring = wiring
        self.units = wiring.units
        self.ode_unfolds = ode_unfolds
        self.solver = solver
        self.input_mapping = input_mapping
        self.output_mapping = output_mapping
        self.time_input = time_input
        self.epsilon = epsilon
        self._solver_step = solver_step

    @property
    def state_size(self) -> int:
        return self.units

    @property
    def output_size(self) -> int:
        return self.wiring.output_size

    @property
    def input_dim(self) -> int | None:
        """Number of input features the synapses see (without the time feature)."""
        return self.wiring.input_dim

    # -- weights -------------------------------------------------------------------
    def build(self, input_shape):
        features = input_shape[-1]
        if features is None:
            raise ValueError(
                f"{type(self).__name__} needs a known number of input features. "
                f"Received: input_shape={input_shape}"
            )
        if self.time_input and features < 2:
            raise ValueError(
                "With `time_input=True` the last input feature is the elapsed time, "
                "so at least 2 features are expected (inputs + time). "
                f"Received: input_shape={input_shape}"
            )
        self.wiring = self.wiring.with_input_dim(features - 1 if self.time_input else features)
        if self.ode_unfolds is None:
            # one sub-step per synapse between the inputs and the output neurons
            self.ode_unfolds = self.wiring.depth()
        adjacency = self.wiring.adjacency_matrix
        sensory_adjacency = self.wiring.sensory_adjacency_matrix
        m, o = self.wiring.input_dim, self.output_size
        self.build_circuit(adjacency, sensory_adjacency)
        # The graph travels with the weights: signed polarities, 0 = no synapse.
        self.adjacency = self.add_weight(
            name="adjacency",
            shape=adjacency.shape,
            initializer=array_initializer(adjacency),
            trainable=False,
        )
        self.sensory_adjacency = self.add_weight(
            name="sensory_adjacency",
            shape=sensory_adjacency.shape,
            initializer=array_initializer(sensory_adjacency),
            trainable=False,
        )
        self.input_w = self.input_b = self.output_w = self.output_b = None
        if self.input_mapping == "dense":
            self.input_w = self.add_weight(name="input_w", shape=(m, m), initializer="identity")
        elif self.input_mapping is not None:
            self.input_w = self.add_weight(name="input_w", shape=(m,), initializer="ones")
        if self.input_mapping in ("affine", "dense"):
            self.input_b = self.add_weight(name="input_b", shape=(m,), initializer="zeros")
        if self.output_mapping is not None:
            self.output_w = self.add_weight(name="output_w", shape=(o,), initializer="ones")
        if self.output_mapping == "affine":
            self.output_b = self.add_weight(name="output_b", shape=(o,), initializer="zeros")

    def build_circuit(self, adjacency: np.ndarray, sensory_adjacency: np.ndarray):
        """Creates the neuron and synapse parameters (subclasses)."""
        raise NotImplementedError(f"{type(self).__name__} must implement build_circuit().")

    # -- shared maths --------------------------------------------------------------
    def split_inputs(self, inputs):
        """Splits raw inputs into `(mapped_inputs, step_size)`.

        `step_size` is the solver step `dt / ode_unfolds`: a Python float when
        `time_input=False`, else a `(batch, 1)` tensor that is zero wherever
        `dt` is not finite or not positive (such steps leave the state unchanged).
        """
        features, step_size = self.split_time(inputs)
        return self.map_inputs(features), step_size

    def split_time(self, inputs):
        """Raw inputs as `(features, step_size)`: `split_inputs` before the input mapping."""
        if self.time_input:
            return inputs[..., :-1], substep_size(inputs[..., -1:], self.ode_unfolds)
        return inputs, 1.0 / self.ode_unfolds

    def map_inputs(self, features):
        """Applies the input mapping to the input features `(batch, M)`."""
        if self.input_mapping == "dense":
            features = ops.matmul(features, self.input_w)
        elif self.input_w is not None:
            features = features * self.input_w
        if self.input_b is not None:
            features = features + self.input_b
        return features

    def map_outputs(self, state):
        """Applies the output mapping to the first `output_size` neurons."""
        outputs = state[..., : self.output_size]
        if self.output_w is not None:
            outputs = outputs * self.output_w
        if self.output_b is not None:
            outputs = outputs + self.output_b
        return outputs

    def drive(self, inputs):
        """The circuit's drive for one input step (subclasses).

        Args:
            inputs: Mapped inputs `(batch, input_dim)`, held over the step.

        Returns:
            A tuple `(capacitance, drive)`: `capacitance` `(units,)` and
            `drive(v) -> (numerator, denominator)`, the right-hand side of
            `capacitance dv/dt = numerator - denominator * v` at state `v`.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement drive().")

    def call(self, inputs, states, training=False):
        del training
        state = states[0] if isinstance(states, (list, tuple)) else states
        x, step_size = self.split_inputs(inputs)
        capacitance, drive = self.drive(x)
        new_state = self.integrate(state, step_size, capacitance, drive)
        return self.map_outputs(new_state), self.pack_state(new_state, states)

    def integrate(self, state, step_size, capacitance, drive, first_drive=None):
        """`ode_unfolds` solver steps of `capacitance dv/dt = numerator - denominator v`.

        `first_drive` is `drive(state)` when the caller already has it.
        """
        return solvers.integrate(
            self._solver_step,
            state,
            step_size,
            capacitance,
            drive,
            self.epsilon,
            self.ode_unfolds,
            first_drive=first_drive,
        )

    @staticmethod
    def pack_state(new_state, states):
        """`new_state` in the structure `states` came in (a list, or a bare tensor)."""
        return [new_state] if isinstance(states, (list, tuple)) else new_state

    # -- what export and interpretability read -------------------------------------
    def dense_config(self) -> dict | None:
        """The config of the same cell computing every synapse densely, or `None`.

        `None` when the cell already computes densely (every `WiredCell` but a
        sparse-layout `BioSynLTCCell`). The dense cell has the same weights,
        under the same names, so values copy across by name.
        """
        return None

    def polarity(self) -> tuple[np.ndarray, np.ndarray]:
        """Signs of the synapses as the built cell holds them now.

        A synapse's sign is that of its weight named in `POLARITY_WEIGHTS`
        (the reversal potentials of a `BioSynLTCCell`, the weights of a
        `CTRNNCell`): `>= 0` is excitatory.

        Returns:
            `(recurrent, sensory)` arrays of +1 (excitatory), -1 (inhibitory)
            and 0 (no synapse), of shapes `(units, units)` indexed
            `[pre, post]` and `(input_dim, units)`.
        """
        recurrent, sensory = (getattr(self, name).numpy() for name in self.POLARITY_WEIGHTS)
        return (
            signs(recurrent, self.adjacency.numpy()),
            signs(sensory, self.sensory_adjacency.numpy()),
        )

    def get_initial_state(self, batch_size=None):
        return [ops.zeros((batch_size, self.units), dtype=self.compute_dtype)]

    # -- serialization -------------------------------------------------------------
    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "units": keras.saving.serialize_keras_object(self.wiring),
                "output_size": self.output_size,
                "ode_unfolds": self.ode_unfolds,
                "solver": self.solver,
                "input_mapping": self.input_mapping,
                "output_mapping": self.output_mapping,
                "time_input": self.time_input,
                "epsilon": self.epsilon,
            }
        )
        return config

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        if isinstance(config.get("units"), dict):
            config["units"] = keras.saving.deserialize_keras_object(config["units"])
        return cls(**config)


def as_wiring(units, output_size) -> Wiring:
    """`units` as a `Wiring`: itself, or `FullyConnected(units, output_size)` for an int."""
    if isinstance(units, Wiring):
        if output_size is not None and output_size != units.output_size:
            raise ValueError(
                f"`output_size` conflicts with the wiring's output_size="
                f"{units.output_size}. Leave `output_size=None` when passing a "
                f"wiring. Received: output_size={output_size}"
            )
        return units
    if isinstance(units, bool) or not isinstance(units, (int, np.integer)):
        raise TypeError(
            "Expected `units` to be a positive int or a keras_biosyn.wirings.Wiring. "
            f"Received: units={units!r} of type {type(units).__name__}"
        )
    return FullyConnected(check_int("units", units, minimum=1), output_size=output_size)


def array_initializer(array, dtype="float32"):
    """An initializer returning a fixed array (graph masks, polarities, indices)."""
    values = np.asarray(array, dtype=dtype)

    def initializer(shape, dtype=None):
        if tuple(shape) != values.shape:
            raise ValueError(f"Expected shape {values.shape}. Received: shape={shape}")
        return ops.convert_to_tensor(values, dtype=dtype)

    return initializer


def signs(values, adjacency) -> np.ndarray:
    """+1 where `values >= 0`, -1 where negative, and 0 where `adjacency` has no synapse."""
    return np.where(np.asarray(values) >= 0, 1.0, -1.0) * (np.asarray(adjacency) != 0)
