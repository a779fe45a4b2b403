"""Prototype cells for the default study: ideas measured before they enter the package.

Each is a `BioSynLTCCell` subclass that changes one thing, so that
`solver_study.py` can train it on every task with the same recipe as the
shipped cell (a variant names it with `"prototype"`). They compute in the
dense synapse layout only, train and predict, and are not exported, read by
`describe` or pruned: whichever wins the study moves into the package
properly, with its tests.

- `ClockedCell`: the input-controlled clock (the "liquid capacitance" of
  Farsang, Lemmel & Grosu, arXiv 2403.08791). Both drive terms are scaled by a
  gate `g = sigmoid(x @ clock_w [+ clock_v * v] + clock_b)` in (0, 1), so
  `v_inf = numerator / denominator` (and the linear-system reading) is
  unchanged and only each neuron's rate changes: under the exponential step a
  sub-step moves by `1 - exp(-h g denominator / cm)`. `clock="input"` gates
  on the mapped input; `"input_state"` on the input and the neuron's own
  potential. `clock_init="constant"` starts every gate at
  `sigmoid(3) = 0.95` (nearly the unclocked cell); `"chrono"` draws each
  neuron's slow-down `1 / g` log-uniformly in `[1, chrono_max]` (the
  sequence length), as chrono initialisation does for LSTM forget gates.
- `IdentityMappedCell`: `input_mapping="dense"` with the matrix starting at
  the identity instead of Glorot-uniform, so the cell starts as the affine
  default (each sensory synapse reading its own feature) and learns to mix.
- `SoftplusCell`: `cm`, `gleak`, `w` and `sensory_w` stored as raw values and
  used as `softplus(raw) + floor` instead of being clipped at their floors by
  `MinValue` constraints. A clipped parameter at its floor gets no gradient
  back up once the optimizer pushes it below; a softplus one keeps a small
  gradient. Same initial physical values as the shipped cell.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from keras_biosyn import BioSynLTCCell
from keras_biosyn.cells.biosyn_ltc_defaults import MIN_CM, MIN_GLEAK
from keras_biosyn.ops.membrane import CircuitParameters
from keras_biosyn.ops.synapses import mask_synapses

CLOCKS = ("input", "input_state")
CLOCK_INITS = ("constant", "chrono")


class ClockedCell(BioSynLTCCell):
    """`BioSynLTCCell` whose neurons' rates are gated by the input (and own state)."""

    def __init__(self, *args, clock="input", clock_init="constant", chrono_max=None, **kwargs):
        if clock not in CLOCKS or clock_init not in CLOCK_INITS:
            raise ValueError(f"clock in {CLOCKS}, clock_init in {CLOCK_INITS}")
        if clock_init == "chrono" and not chrono_max:
            raise ValueError("clock_init='chrono' needs chrono_max (the sequence length)")
        super().__init__(*args, **kwargs)
        self.clock, self.clock_init, self.chrono_max = clock, clock_init, chrono_max

    def build_circuit(self, adjacency, sensory_adjacency):
        super().build_circuit(adjacency, sensory_adjacency)
        n, m = self.units, sensory_adjacency.shape[0]
        self.clock_w = self.add_weight(name="clock_w", shape=(m, n), initializer="zeros")
        self.clock_v = (
            self.add_weight(name="clock_v", shape=(n,), initializer="zeros")
            if self.clock == "input_state"
            else None
        )
        self.clock_b = self.add_weight(name="clock_b", shape=(n,), initializer=self._bias_init)

    def _bias_init(self, shape, dtype=None):
        if self.clock_init == "constant":
            return ops.full(shape, 3.0, dtype=dtype)
        # slow-down u = 1 / g log-uniform in [1.01, chrono_max]: g = sigmoid(b), b = -log(u - 1)
        log_u = keras.random.uniform(shape, np.log(1.01), np.log(float(self.chrono_max)))
        return ops.cast(-ops.log(ops.exp(log_u) - 1.0), dtype)

    def drive(self, inputs):
        capacitance, drive = super().drive(inputs)
        held = ops.matmul(inputs, self.clock_w) + self.clock_b

        def gated(v):
            numerator, denominator = drive(v)
            gate = ops.sigmoid(held if self.clock_v is None else held + self.clock_v * v)
            return gate * numerator, gate * denominator

        return capacitance, gated

    def get_config(self):
        return {
            **super().get_config(),
            "clock": self.clock,
            "clock_init": self.clock_init,
            "chrono_max": self.chrono_max,
        }


class IdentityMappedCell(BioSynLTCCell):
    """`BioSynLTCCell(input_mapping="dense")` whose `M x M` input matrix starts at the identity."""

    def build(self, input_shape):
        super().build(input_shape)
        if self.input_mapping != "dense":
            raise ValueError("IdentityMappedCell needs input_mapping='dense'")
        self.input_w.assign(np.eye(self.input_w.shape[0], dtype="float32"))


SOFTPLUS_FLOORS = {"cm": MIN_CM, "gleak": MIN_GLEAK, "w": 0.0, "sensory_w": 0.0}


def inverse_softplus(value):
    value = np.maximum(np.asarray(value, dtype="float64"), 1e-7)
    return np.where(value > 20, value, np.log(np.expm1(value))).astype("float32")


class SoftplusCell(BioSynLTCCell):
    """`BioSynLTCCell` with softplus-parameterised positive parameters (dense layout)."""

    def build_circuit(self, adjacency, sensory_adjacency):
        super().build_circuit(adjacency, sensory_adjacency)
        if self.resolved_synapse_layout != "dense" or self.resolved_sensory_layout != "dense":
            raise ValueError("SoftplusCell computes the dense layout only")
        for name, floor in SOFTPLUS_FLOORS.items():
            variable = getattr(self, name)
            variable.constraint = None
            variable.assign(inverse_softplus(variable.numpy() - floor))

    def physical(self, name):
        return ops.softplus(getattr(self, name)) + SOFTPLUS_FLOORS[name]

    def circuit_parameters(self, layout=None):
        w = mask_synapses(self.physical("w"), self.adjacency)
        sensory_w = mask_synapses(self.physical("sensory_w"), self.sensory_adjacency)
        return CircuitParameters(
            cm=self.physical("cm"),
            gleak=self.physical("gleak"),
            vleak=ops.convert_to_tensor(self.vleak),
            w=w,
            w_erev=w * self.erev,
            sigma=ops.convert_to_tensor(self.sigma),
            mu=ops.convert_to_tensor(self.mu),
            sensory_w=sensory_w,
            sensory_w_erev=sensory_w * self.sensory_erev,
            sensory_sigma=ops.convert_to_tensor(self.sensory_sigma),
            sensory_mu=ops.convert_to_tensor(self.sensory_mu),
        )


PROTOTYPES = {
    "clock": ClockedCell,
    "identity_dense": IdentityMappedCell,
    "softplus": SoftplusCell,
}
