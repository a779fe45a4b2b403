"""`BioSynLTCCell`: a liquid time-constant cell with biophysical synapses."""

from __future__ import annotations

import keras
from keras import ops

from keras_biosyn import solvers
from keras_biosyn.cells.biosyn_ltc_defaults import (
    DEFAULT_RANGES,
    MIN_CM,
    MIN_GLEAK,
    default_initializer,
    fan_in_uniform,
)
from keras_biosyn.cells.synapse_index import SynapseIndex, without_legacy_index
from keras_biosyn.cells.synapse_layout import (
    SYNAPSE_LAYOUTS,
    resolve_by_density,
    resolve_synapse_layout,
)
from keras_biosyn.cells.wired_cell import WiredCell, array_initializer
from keras_biosyn.constraints import MinValue
from keras_biosyn.ops.linear_system import linear_system
from keras_biosyn.ops.membrane import CircuitParameters, membrane_drive, sensory_drive
from keras_biosyn.ops.synapses import gather_synapses, mask_synapses
from keras_biosyn.utils.validation import check_choice
from keras_biosyn.wirings import Wiring


@keras.saving.register_keras_serializable(package="keras_biosyn")
class BioSynLTCCell(WiredCell):
    """Cell of liquid time-constant (LTC) neurons joined by biophysical synapses.

    Each of the `units` neurons has a membrane potential `v` (the RNN state),
    a capacitance `cm`, a leak conductance `gleak` and a leak potential
    `vleak`. Each synapse `j -> i` of the wiring (and each sensory synapse
    from input feature `k`) is a chemical synapse with its own maximum
    conductance `w`, slope `sigma`, midpoint `mu` and reversal potential
    `erev`, initialised from the wiring's polarity (+1 excitatory, -1
    inhibitory). Per input step:

    ```
    x = u @ input_w + input_b                        # input_mapping="dense" (or per feature)
    G[j, i]  = w[j, i] * sigmoid(sigma[j, i] * (v[j] - mu[j, i]))
    Gs[k, i] = sensory_w[k, i]
               * sigmoid(sensory_sigma[k, i] * (x[k] - sensory_mu[k, i]))
    cm[i] dv[i]/dt = gleak[i] * (vleak[i] - v[i])
                     + sum_j G[j, i] * (erev[j, i] - v[i])
                     + sum_k Gs[k, i] * (sensory_erev[k, i] - v[i])
    (ode_unfolds solver steps of dt / ode_unfolds, the input held)
    y = output_w * v[:output_size] + output_b        # output_mapping
    ```

    The right-hand side is linear in `v` with coefficients that depend on the
    state and input, `dv/dt = A(v, u) v + b(v, u)` with `A` diagonal. The
    default `"exponential"` solver solves that system exactly over each
    sub-step `h` with its coefficients frozen at the sub-step's start:
    `v <- v_inf + (v - v_inf) * exp(A * h)` with `v_inf = -b / A`. It moves
    `v` towards `v_inf`, a convex combination of `vleak` and the reversal
    potentials, so the state stays in their range for any step size. By
    default a fully connected circuit takes one such step per input step.

    Positivity: `cm` and `gleak` are kept positive and `w`, `sensory_w`
    non-negative by `keras_biosyn.constraints.MinValue` constraints that the
    optimizer applies after each update, so each stored weight is the physical
    parameter itself.

    Reference:
    - [Lemmel & Grosu, "On the Benefits of Biophysical Synapses",
      2023](https://arxiv.org/abs/2303.04944)
    - [Hasani et al., "Liquid Time-constant Networks", AAAI 2021](
      https://arxiv.org/abs/2006.04439)

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
        input_mapping: `"dense"` (default; `u @ input_w + input_b`,
            `input_w` an `M x M` matrix that starts as the identity): each
            sensory synapse reads a learned mix of the input features,
            starting from its own feature; or, per input feature, `"affine"`
            (`input_w * u + input_b`, the default of keras_biosyn 0.1 and
            0.2, whose saved models keep it), `"linear"` (`input_w * u`) or
            `None` (identity).
        output_mapping: `"affine"`, `"linear"` or `None`, per output neuron.
        time_input: If `True`, the last input feature is the elapsed time
            `dt > 0` of each step (irregular sampling) and the other features
            are the inputs. Otherwise every step lasts `dt = 1`. A step whose
            `dt` is not finite or not positive leaves the state unchanged (no
            time elapses), so bad time stamps can never produce NaN.
        epsilon: Small non-negative number guarding the solvers' divisions.
        synapse_layout: How the recurrent synapses are computed. `"dense"`
            evaluates all `units * units` pairs with absent synapses masked
            out; `"sparse"` evaluates only the synapses that exist (gather and
            sum per neuron), so its cost grows with the synapse count.
            `"auto"` (default) picks `"sparse"` when at most 40 % of the
            possible synapses exist, where it trains faster on CPU, and
            decides the same for the sensory synapses by their own density
            (`resolved_sensory_layout`); a sparse sensory layout keeps only
            the existing sensory synapses in an exported file. Both give
            the same results up to float rounding and save the same weights.
            The sparse layout reads its synapse list off the `adjacency`
            weight when the cell is built and when weights are loaded, and
            keeps it fixed once the cell has been called; prune synapses by
            zeroing entries of the `adjacency` weight.
        cm_initializer, gleak_initializer, vleak_initializer, w_initializer,
            sigma_initializer, mu_initializer, sensory_w_initializer,
            sensory_sigma_initializer, sensory_mu_initializer: Initializers of
            the parameters of the same names. `None` uses: `cm` log-uniform
            in [0.5, 8] (`keras_biosyn.initializers.LogUniform`), so the
            neurons start with time constants from about half a step to several
            steps; uniform draws `gleak` U(0.001, 1), `vleak` U(-0.2, 0.2),
            `sigma` and `sensory_sigma` U(3, 8), `mu` and `sensory_mu`
            U(0.3, 0.8) (the LTC reference implementation's ranges); and `w`
            and `sensory_w` U(0.01, 2) divided by the number of recurrent
            (respectively sensory) synapses each neuron receives, so that
            every neuron starts with a total conductance near 1 whatever the
            wiring.
        w_regularizer: Regularizer of the recurrent maximum conductances `w`
            (e.g. L1 to prune synapses).
        sensory_w_regularizer: Regularizer of `sensory_w`.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Call arguments:
        inputs: A 2D tensor `(batch, features)`; with `time_input=True` the
            last feature is the elapsed time.
        states: A list holding one 2D tensor `(batch, units)`, the membrane
            potentials.
        training: Unused; accepted for the RNN cell contract.

    Returns:
        A tuple `(output, [new_state])`: `output` has shape
        `(batch, output_size)`, `new_state` has shape `(batch, units)`.

    Example:

    ```python
    import keras
    from keras_biosyn import BioSynLTCCell, wirings

    inputs = keras.random.normal((4, 20, 3))                  # (batch, time, features)
    cell = BioSynLTCCell(wirings.AutoNCP(16, output_size=2, seed=1))
    layer = keras.layers.RNN(cell, return_sequences=True)
    outputs = layer(inputs)                                   # (4, 20, 2)
    ```
    """

    POLARITY_WEIGHTS = ("erev", "sensory_erev")

    def __init__(
        self,
        units: int | Wiring,
        output_size: int | None = None,
        *,
        ode_unfolds: int | None = None,
        solver: str = solvers.DEFAULT_SOLVER,
        input_mapping: str | None = "dense",
        output_mapping: str | None = "affine",
        time_input: bool = False,
        epsilon: float = 1e-8,
        synapse_layout: str = "auto",
        cm_initializer=None,
        gleak_initializer=None,
        vleak_initializer=None,
        w_initializer=None,
        sigma_initializer=None,
        mu_initializer=None,
        sensory_w_initializer=None,
        sensory_sigma_initializer=None,
        sensory_mu_initializer=None,
        w_regularizer=None,
        sensory_w_regularizer=None,
        **kwargs,
    ):
        synapse_layout = check_choice("synapse_layout", synapse_layout, SYNAPSE_LAYOUTS)
        initializers = {
            "cm": cm_initializer,
            "gleak": gleak_initializer,
            "vleak": vleak_initializer,
            "w": w_initializer,
            "sigma": sigma_initializer,
            "mu": mu_initializer,
            "sensory_w": sensory_w_initializer,
            "sensory_sigma": sensory_sigma_initializer,
            "sensory_mu": sensory_mu_initializer,
        }
        initializers = {
            name: default_initializer(name) if value is None else keras.initializers.get(value)
            for name, value in initializers.items()
        }
        super().__init__(
            units,
            output_size,
            ode_unfolds=ode_unfolds,
            solver=solver,
            input_mapping=input_mapping,
            output_mapping=output_mapping,
            time_input=time_input,
            epsilon=epsilon,
            **kwargs,
        )
        self.synapse_layout = synapse_layout
        for name, initializer in initializers.items():
            setattr(self, f"{name}_initializer", initializer)
        self.w_regularizer = keras.regularizers.get(w_regularizer)
        self.sensory_w_regularizer = keras.regularizers.get(sensory_w_regularizer)
        # The synapses the sparse layout computes, read off the adjacency weights at
        # build; `None` where a layout is dense (the sensory one by its own density).
        self._synapse_index: SynapseIndex | None = None
        self._sensory_index: SynapseIndex | None = None

    def build_circuit(self, adjacency, sensory_adjacency):
        n, m = self.units, sensory_adjacency.shape[0]

        self.cm = self._neuron_weight("cm", self.cm_initializer, MinValue(MIN_CM))
        self.gleak = self._neuron_weight("gleak", self.gleak_initializer, MinValue(MIN_GLEAK))
        self.vleak = self._neuron_weight("vleak", self.vleak_initializer)
        self.w = self.add_weight(
            name="w",
            shape=(n, n),
            initializer=self.w_initializer or fan_in_uniform(adjacency, DEFAULT_RANGES["w"]),
            regularizer=self.w_regularizer,
            constraint=MinValue(0.0),
        )
        self.sigma = self.add_weight(
            name="sigma", shape=(n, n), initializer=self.sigma_initializer
        )
        self.mu = self.add_weight(name="mu", shape=(n, n), initializer=self.mu_initializer)
        self.erev = self.add_weight(
            name="erev", shape=(n, n), initializer=array_initializer(adjacency)
        )
        self.sensory_w = self.add_weight(
            name="sensory_w",
            shape=(m, n),
            initializer=self.sensory_w_initializer
            or fan_in_uniform(sensory_adjacency, DEFAULT_RANGES["sensory_w"]),
            regularizer=self.sensory_w_regularizer,
            constraint=MinValue(0.0),
        )
        self.sensory_sigma = self.add_weight(
            name="sensory_sigma",
            shape=(m, n),
            initializer=self.sensory_sigma_initializer,
        )
        self.sensory_mu = self.add_weight(
            name="sensory_mu", shape=(m, n), initializer=self.sensory_mu_initializer
        )
        self.sensory_erev = self.add_weight(
            name="sensory_erev",
            shape=(m, n),
            initializer=array_initializer(sensory_adjacency),
        )
        if self.resolved_synapse_layout == "sparse":
            self._synapse_index = SynapseIndex(adjacency)
        if self.resolved_sensory_layout == "sparse":
            self._sensory_index = SynapseIndex(sensory_adjacency)

    @property
    def resolved_synapse_layout(self) -> str:
        """`"dense"` or `"sparse"`: the layout in use (`"auto"` resolved by density)."""
        return resolve_synapse_layout(self.synapse_layout, self.wiring.synapse_count, self.units)

    @property
    def resolved_sensory_layout(self) -> str | None:
        """The sensory synapses' layout: `synapse_layout`, `"auto"` resolved by their density.

        `None` before the cell is built (the number of inputs is unknown). A
        cell without sensory synapses computes them densely.
        """
        inputs = self.wiring.input_dim
        if inputs is None:
            return None
        count = self.wiring.sensory_synapse_count
        if not count:
            return "dense"
        return resolve_by_density(self.synapse_layout, count, inputs * self.units)

    def load_own_variables(self, store):
        if self._synapse_index is not None:
            store = without_legacy_index(store, len(self.weights))
        super().load_own_variables(store)
        for index, adjacency in self._sparse_indices():
            index.reload(adjacency.numpy(), self.name)

    def _sparse_indices(self):
        """`(index, adjacency weight)` of each sparse-layout synapse group."""
        pairs = (
            (self._synapse_index, self.adjacency),
            (self._sensory_index, self.sensory_adjacency),
        )
        return [(index, adjacency) for index, adjacency in pairs if index is not None]

    def _neuron_weight(self, name, initializer, constraint=None):
        return self.add_weight(
            name=name,
            shape=(self.units,),
            initializer=initializer,
            constraint=constraint,
        )

    # -- maths -----------------------------------------------------------------
    def circuit_parameters(self, layout: str | None = None) -> CircuitParameters:
        """The parameters as the equations use them (masks applied).

        A plain read: only a call fixes the sparse synapse list (see
        `synapse_layout`).

        Args:
            layout: `"dense"` for `(units, units)` recurrent matrices whatever
                the layout in use; `None` (default) for the layout in use.

        Returns:
            A `keras_biosyn.ops.CircuitParameters` of tensors in the compute dtype.
        """
        w = mask_synapses(self.w, self.adjacency)
        sigma, mu = ops.cast(self.sigma, self.compute_dtype), ops.cast(self.mu, self.compute_dtype)
        recurrent = (w, w * self.erev, sigma, mu)
        synapses = None
        if self._synapse_index is not None and layout != "dense":
            synapses = self._synapse_index.synapses
            recurrent = gather_synapses(recurrent, synapses.pre, synapses.post, self.units)
        w, w_erev, sigma, mu = recurrent
        sensory_w = mask_synapses(self.sensory_w, self.sensory_adjacency)
        sensory = (
            sensory_w,
            sensory_w * self.sensory_erev,
            ops.convert_to_tensor(self.sensory_sigma),
            ops.convert_to_tensor(self.sensory_mu),
        )
        sensory_synapses = None
        if self._sensory_index is not None and layout != "dense":
            sensory_synapses = self._sensory_index.synapses
            sensory = [ops.cast(matrix, self.compute_dtype) for matrix in sensory]
            sensory = gather_synapses(
                sensory, sensory_synapses.pre, sensory_synapses.post, self.units
            )
        return CircuitParameters(
            cm=ops.convert_to_tensor(self.cm),
            gleak=ops.convert_to_tensor(self.gleak),
            vleak=ops.convert_to_tensor(self.vleak),
            w=w,
            w_erev=w_erev,
            sigma=sigma,
            mu=mu,
            sensory_w=sensory[0],
            sensory_w_erev=sensory[1],
            sensory_sigma=sensory[2],
            sensory_mu=sensory[3],
            synapses=synapses,
            sensory_synapses=sensory_synapses,
        )

    def drive(self, inputs):
        for index, _ in self._sparse_indices():
            index.freeze()  # this call computes with it; a traced graph keeps it
        params = self.circuit_parameters()
        held = sensory_drive(inputs, params)

        def drive(v):
            return membrane_drive(v, params, held)

        return params.cm, drive

    def linear_system(self, inputs, states) -> dict:
        """The coefficients of `dv/dt = A v + b` for one step, at the current state.

        Evaluated with the step's (mapped) input and the state entering the
        step, where the solver's first sub-step freezes the system: one
        exponential sub-step of size `h = dt / ode_unfolds` is exactly
        `v_inf + (v - v_inf) * exp(h * A)` with `v_inf = -b / A`, and one
        semi-implicit sub-step is `(v + h * b) / (1 - h * A)` (up to `epsilon`).

        Args:
            inputs: Raw step inputs `(batch, features)`, as passed to `call`
                (with the elapsed time last when `time_input=True`).
            states: The membrane potentials `(batch, units)`, or a list
                holding them.

        Returns:
            A dict of tensors (see `keras_biosyn.ops.linear_system`): `A`,
            `b`, `tau` `(batch, units)`; `conductance` `(batch, units, units)`
            indexed `[batch, pre, post]`; `sensory_conductance`
            `(batch, input_dim, units)`; and the leak, recurrent and per-input
            parts of `A` and `b`.

        Example:

        ```python
        cell = BioSynLTCCell(8)
        cell.build((None, 3))
        system = cell.linear_system(keras.ops.ones((2, 3)), keras.ops.zeros((2, 8)))
        system["tau"].shape                                 # (2, 8)
        ```
        """
        state = states[0] if isinstance(states, (list, tuple)) else states
        x, _ = self.split_inputs(inputs)
        return linear_system(state, x, self.circuit_parameters(layout="dense"))

    def call_with_coefficients(self, inputs, states):
        """One step, and the linear system at the state entering it.

        Equivalent to `call(inputs, states)` and `linear_system(inputs,
        states)`, but the synapse conductances at the entering state are
        evaluated once: the system's drive is the solver's first sub-step.

        Args:
            inputs: Raw step inputs `(batch, features)`, as passed to `call`.
            states: A list holding the membrane potentials `(batch, units)`.

        Returns:
            A tuple `(output, new_states, system)`, `system` as returned by
            `linear_system`.

        Example:

        ```python
        cell = BioSynLTCCell(8)
        cell.build((None, 3))
        output, states, system = cell.call_with_coefficients(
            keras.ops.ones((2, 3)), [keras.ops.zeros((2, 8))]
        )
        system["A"].shape                                   # (2, 8)
        ```
        """
        state = states[0] if isinstance(states, (list, tuple)) else states
        x, step_size = self.split_inputs(inputs)
        system, first = linear_system(
            state, x, self.circuit_parameters(layout="dense"), return_drive=True
        )
        capacitance, drive = self.drive(x)
        new_state = self.integrate(state, step_size, capacitance, drive, first_drive=first)
        return self.map_outputs(new_state), self.pack_state(new_state, states), system

    def dense_config(self) -> dict | None:
        if self.resolved_synapse_layout == "dense" and self.resolved_sensory_layout != "sparse":
            return None
        return {**self.get_config(), "synapse_layout": "dense"}

    # -- serialization ---------------------------------------------------------
    def get_config(self) -> dict:
        config = super().get_config()
        serialize_init = keras.initializers.serialize
        config.update(
            {
                "synapse_layout": self.synapse_layout,
                "cm_initializer": serialize_init(self.cm_initializer),
                "gleak_initializer": serialize_init(self.gleak_initializer),
                "vleak_initializer": serialize_init(self.vleak_initializer),
                "w_initializer": serialize_init(self.w_initializer),
                "sigma_initializer": serialize_init(self.sigma_initializer),
                "mu_initializer": serialize_init(self.mu_initializer),
                "sensory_w_initializer": serialize_init(self.sensory_w_initializer),
                "sensory_sigma_initializer": serialize_init(self.sensory_sigma_initializer),
                "sensory_mu_initializer": serialize_init(self.sensory_mu_initializer),
                "w_regularizer": keras.regularizers.serialize(self.w_regularizer),
                "sensory_w_regularizer": keras.regularizers.serialize(self.sensory_w_regularizer),
            }
        )
        return config
