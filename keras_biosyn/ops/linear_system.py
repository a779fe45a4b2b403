"""The network as a linear system with state-dependent coefficients.

At state `v` and mapped input `x`, with the conductances evaluated there,

    dv/dt = A * v + b            (A diagonal: one entry per neuron)
    A = -(gleak + Σ_j G[j, ·] + Σ_k Gs[k, ·]) / cm      (never positive)
    b = (gleak vleak + Σ_j G[j, ·] erev[j, ·] + Σ_k Gs[k, ·] sensory_erev[k, ·]) / cm
    tau = -1 / A = cm / (gleak + Σ G + Σ Gs)            (the liquid time constant)

and the semi-implicit step of size `h` is implicit Euler on that frozen system,
`v <- (v + h b) / (1 - h A)`. Both `A` and `b` split into a leak part, a
recurrent part and one part per input feature, so the system reads as linear
in its input features.
"""

from __future__ import annotations

from keras import ops

from keras_biosyn.ops.membrane import CircuitParameters
from keras_biosyn.ops.synapses import conductance

COEFFICIENTS = (
    "A",
    "b",
    "tau",
    "conductance",
    "sensory_conductance",
    "leak_A",
    "leak_b",
    "recurrent_A",
    "recurrent_b",
    "input_A",
    "input_b",
)


def linear_system(v, x, params: CircuitParameters, erev, sensory_erev) -> dict:
    """Coefficients of `dv/dt = A v + b` at state `v` and mapped input `x`.

    Args:
        v: Membrane potentials, shape `(batch, N)`.
        x: Mapped inputs (after the input mapping), shape `(batch, M)`.
        params: Dense-layout `CircuitParameters` (`params.synapses is None`).
        erev: Recurrent reversal potentials, shape `(N, N)`.
        sensory_erev: Sensory reversal potentials, shape `(M, N)`.

    Returns:
        A dict of tensors: `A`, `b`, `tau` `(batch, N)`; `conductance`
        `G[b, j, i]` `(batch, N, N)` (zero where no synapse exists);
        `sensory_conductance` `Gs[b, k, i]` `(batch, M, N)`; the parts
        `leak_A`, `leak_b`, `recurrent_A`, `recurrent_b` `(batch, N)` and
        `input_A`, `input_b` `(batch, M, N)` (the contribution of each input
        feature), which add up to `A` and `b`.
    """
    if params.synapses is not None:
        raise ValueError(
            "linear_system needs dense-layout parameters "
            "(`cell.circuit_parameters(layout='dense')`). "
            f"Received: a SynapseList of {params.synapses.units} units"
        )
    cm = params.cm
    g = conductance(v, params.w, params.sigma, params.mu)
    gs = conductance(x, params.sensory_w, params.sensory_sigma, params.sensory_mu)
    ones = ops.ones_like(v)
    leak_A = -ones * (params.gleak / cm)
    leak_b = ones * (params.gleak * params.vleak / cm)
    recurrent_A = -ops.sum(g, axis=-2) / cm
    recurrent_b = ops.sum(g * erev, axis=-2) / cm
    input_A = -gs / cm
    input_b = gs * sensory_erev / cm
    A = leak_A + recurrent_A + ops.sum(input_A, axis=-2)
    b = leak_b + recurrent_b + ops.sum(input_b, axis=-2)
    return {
        "A": A,
        "b": b,
        "tau": -1.0 / A,
        "conductance": g,
        "sensory_conductance": gs,
        "leak_A": leak_A,
        "leak_b": leak_b,
        "recurrent_A": recurrent_A,
        "recurrent_b": recurrent_b,
        "input_A": input_A,
        "input_b": input_b,
    }
