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

from keras_biosyn.ops.membrane import (
    CircuitParameters,
    membrane_drive,
    sensory_currents,
    sensory_drive,
)
from keras_biosyn.ops.synapses import synapse_currents

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


def linear_system(v, x, params: CircuitParameters, return_drive: bool = False):
    """Coefficients of `dv/dt = A v + b` at state `v` and mapped input `x`.

    Built from the cell's own drive: `A = -denominator / cm` and
    `b = numerator / cm` with `(numerator, denominator)` from
    `sensory_drive` and `membrane_drive`, so they are what a solver step sees;
    the per-synapse conductances are evaluated once and give the parts too.

    Args:
        v: Membrane potentials, shape `(batch, N)`.
        x: Mapped inputs (after the input mapping), shape `(batch, M)`.
        params: Dense-layout `CircuitParameters` (`params.synapses is None`).
        return_drive: Also return `(numerator, denominator)`, the drive at
            `v` that a solver's first sub-step uses.

    Returns:
        A dict of tensors: `A`, `b`, `tau` `(batch, N)`; `conductance`
        `G[b, j, i]` `(batch, N, N)` (zero where no synapse exists);
        `sensory_conductance` `Gs[b, k, i]` `(batch, M, N)`; the parts
        `leak_A`, `leak_b`, `recurrent_A`, `recurrent_b` `(batch, N)` and
        `input_A`, `input_b` `(batch, M, N)` (the contribution of each input
        feature), which add up to `A` and `b`. With `return_drive=True`, a
        tuple `(system, (numerator, denominator))`.

    Example:

    ```python
    params = cell.circuit_parameters(layout="dense")
    system = linear_system(v, x, params)                  # v (batch, N), x (batch, M)
    system["tau"].shape                                   # (batch, N)
    ```
    """
    sparse = params.synapses or params.sensory_synapses
    if sparse is not None:
        raise ValueError(
            "linear_system needs dense-layout parameters "
            "(`cell.circuit_parameters(layout='dense')`). "
            f"Received: a SynapseList of {sparse.units} units"
        )
    sensory = sensory_currents(x, params)
    recurrent = synapse_currents(v, params.w, params.w_erev, params.sigma, params.mu)
    drive = membrane_drive(v, params, sensory_drive(x, params, sensory), recurrent)
    numerator, denominator = drive
    cm = params.cm
    (gs_erev, gs), (g_erev, g) = sensory, recurrent
    ones = ops.ones_like(v)
    A = -denominator / cm
    system = {
        "A": A,
        "b": numerator / cm,
        "tau": -1.0 / A,
        "conductance": g,
        "sensory_conductance": gs,
        "leak_A": -ones * (params.gleak / cm),
        "leak_b": ones * (params.gleak * params.vleak / cm),
        "recurrent_A": -ops.sum(g, axis=-2) / cm,
        "recurrent_b": ops.sum(g_erev, axis=-2) / cm,
        "input_A": -gs / cm,
        "input_b": gs_erev / cm,
    }
    return (system, drive) if return_drive else system
