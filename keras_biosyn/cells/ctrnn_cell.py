"""`CTRNNCell`: the same neurons as `BioSynLTCCell` with plain additive synapses."""

from __future__ import annotations

import keras
from keras import ops

from keras_biosyn.cells.wired_cell import WiredCell
from keras_biosyn.constraints import MinValue
from keras_biosyn.ops.ctrnn import ctrnn_drive, ctrnn_input_current
from keras_biosyn.ops.synapses import mask_synapses
from keras_biosyn.wirings import Wiring

MIN_TAU = 1e-3


@keras.saving.register_keras_serializable(package="keras_biosyn")
class CTRNNCell(WiredCell):
    """Continuous-time RNN cell: the baseline with plain (additive) synapses.

    Each neuron has a time constant `tau` and a bias; each synapse of the
    wiring is a single weight, as in classic continuous-time RNNs. It shares
    the wiring, mappings, elapsed-time input and solvers of `BioSynLTCCell`,
    so "biophysical vs plain synapses" can be compared at equal neuron counts.

    ```
    x = input_w * u + input_b
    tau[i] dv[i]/dt = -v[i] + sum_j w[j, i] tanh(v[j]) + sum_k sensory_w[k, i] x[k] + bias[i]
    y = output_w * v[:output_size] + output_b
    ```

    Reference:
    - [Funahashi & Nakamura, "Approximation of dynamical systems by continuous time
      recurrent neural networks", Neural Networks, 1993](
      https://doi.org/10.1016/S0893-6080(05)80125-X)

    Args:
        units: Number of neurons (an int, giving a
            `wirings.FullyConnected(units, output_size)` circuit) or a
            `keras_biosyn.wirings.Wiring`.
        output_size: Number of output neurons (the first ones of the circuit).
            Defaults to `units`; with a wiring, defaults to (and must equal)
            the wiring's `output_size`.
        ode_unfolds: Solver steps per input step, a positive int (default 6),
            or `None` for one per synapse on the way from the inputs to the
            output neurons (`wiring.depth()`), resolved when the cell is built
            and saved as that int.
        solver: `"semi_implicit"` (default; implicit Euler on the frozen
            linear system over the step), `"exponential"` (its exact
            solution), both unconditionally stable, or `"explicit_euler"` and
            `"rk4"` (for accuracy studies). The defaults are those of
            keras_biosyn 0.1, which `BioSynLTCCell` has since left.
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
        tau_initializer: Initializer of the time constants (kept at or above
            1e-3 by a `MinValue` constraint). Default: uniform in [0.5, 1.5].
        w_initializer: Initializer of the recurrent weights. Default: Glorot
            uniform.
        sensory_w_initializer: Initializer of the input weights. Default:
            Glorot uniform.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Call arguments:
        inputs: A 2D tensor `(batch, features)`.
        states: A list holding the state `(batch, units)`.
        training: Unused.

    Returns:
        A tuple `(output, [new_state])`.

    Example:

    ```python
    layer = keras.layers.RNN(CTRNNCell(16, output_size=4))
    outputs = layer(keras.random.normal((2, 10, 3)))          # (2, 4)
    ```
    """

    def __init__(
        self,
        units: int | Wiring,
        output_size: int | None = None,
        *,
        ode_unfolds: int | None = 6,
        solver: str = "semi_implicit",
        input_mapping: str | None = "affine",
        output_mapping: str | None = "affine",
        time_input: bool = False,
        epsilon: float = 1e-8,
        tau_initializer=None,
        w_initializer="glorot_uniform",
        sensory_w_initializer="glorot_uniform",
        **kwargs,
    ):
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
        self.tau_initializer = (
            keras.initializers.RandomUniform(0.5, 1.5)
            if tau_initializer is None
            else keras.initializers.get(tau_initializer)
        )
        self.w_initializer = keras.initializers.get(w_initializer)
        self.sensory_w_initializer = keras.initializers.get(sensory_w_initializer)

    def build_circuit(self, adjacency, sensory_adjacency):
        n, m = self.units, sensory_adjacency.shape[0]
        self.tau = self.add_weight(
            name="tau", shape=(n,), initializer=self.tau_initializer, constraint=MinValue(MIN_TAU)
        )
        self.bias = self.add_weight(name="bias", shape=(n,), initializer="zeros")
        self.w = self.add_weight(name="w", shape=(n, n), initializer=self.w_initializer)
        self.sensory_w = self.add_weight(
            name="sensory_w", shape=(m, n), initializer=self.sensory_w_initializer
        )

    def drive(self, inputs):
        sensory_w = mask_synapses(self.sensory_w, self.sensory_adjacency)
        held = ctrnn_input_current(inputs, sensory_w, self.bias)
        w = mask_synapses(self.w, self.adjacency)

        def drive(v):
            return ctrnn_drive(v, w, held)

        return ops.convert_to_tensor(self.tau), drive

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "tau_initializer": keras.initializers.serialize(self.tau_initializer),
                "w_initializer": keras.initializers.serialize(self.w_initializer),
                "sensory_w_initializer": keras.initializers.serialize(self.sensory_w_initializer),
            }
        )
        return config
