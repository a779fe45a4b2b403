"""The membrane equation of LTC neurons, written as a linear system in `v`.

    cm dv/dt = gleak (vleak - v) + Σ_j G_j (erev_j - v) + Σ_k Gs_k (erevs_k - v)
             = numerator - denominator * v

with `numerator = gleak vleak + Σ G erev + Σ Gs erevs` and
`denominator = gleak + Σ G + Σ Gs`, both evaluated at the current state and
input: `A = -denominator / cm` and `b = numerator / cm`.
"""

from __future__ import annotations

from typing import NamedTuple

from keras_biosyn.ops.synapses import (
    SynapseList,
    conductance_sums,
    sparse_conductance_sums,
    synapse_currents,
)


class CircuitParameters(NamedTuple):
    """The circuit's parameters as the equations use them.

    Absent synapses have `w == 0` and `sensory_w == 0` (masks applied), and
    `w_erev = w * erev`, `sensory_w_erev = sensory_w * sensory_erev` are
    precomputed once per input step. In the dense layout (`synapses is None`)
    the recurrent `w`, `w_erev`, `sigma` and `mu` are `(units, units)`
    matrices; in the sparse layout they are `(S,)` vectors in the order of the
    `SynapseList` `synapses`. Likewise the sensory parameters are `(M, N)`
    matrices, or `(S_sensory,)` vectors in the order of `sensory_synapses`.
    """

    cm: object
    gleak: object
    vleak: object
    w: object
    w_erev: object
    sigma: object
    mu: object
    sensory_w: object
    sensory_w_erev: object
    sensory_sigma: object
    sensory_mu: object
    synapses: SynapseList | None = None
    sensory_synapses: SynapseList | None = None


def sensory_currents(x, params: CircuitParameters):
    """Per-synapse `(Gs * sensory_erev, Gs)` of the sensory synapses, each `(batch, M, N)`."""
    return synapse_currents(
        x, params.sensory_w, params.sensory_w_erev, params.sensory_sigma, params.sensory_mu
    )


def sensory_drive(x, params: CircuitParameters, currents=None):
    """Sensory part of `(numerator, denominator)` for mapped inputs `x` `(batch, M)`.

    The input is held during a step, so this is computed once per input step.
    The leak terms are included here, as they are constant too. `currents`
    are `sensory_currents(x, params)` when the caller already has them (dense
    layout only).
    """
    sensory = (params.sensory_w, params.sensory_w_erev, params.sensory_sigma, params.sensory_mu)
    if params.sensory_synapses is None:
        numerator, denominator = conductance_sums(x, *sensory, currents=currents)
    else:
        numerator, denominator = sparse_conductance_sums(x, *sensory, params.sensory_synapses)
    return (
        numerator + params.gleak * params.vleak,
        denominator + params.gleak,
    )


def membrane_drive(v, params: CircuitParameters, held_drive, currents=None):
    """`(numerator, denominator)` of `cm dv/dt = numerator - denominator * v`.

    Args:
        v: Membrane potentials, shape `(batch, N)`.
        params: `CircuitParameters`.
        held_drive: `sensory_drive(x, params)`, the part that does not depend on `v`.
        currents: Dense layout only: the per-synapse recurrent
            `synapse_currents` at `v` when the caller already has them.

    Returns:
        A tuple of two tensors of shape `(batch, N)`.
    """
    recurrent = (params.w, params.w_erev, params.sigma, params.mu)
    if params.synapses is None:
        numerator, denominator = conductance_sums(v, *recurrent, currents=currents)
    else:
        numerator, denominator = sparse_conductance_sums(v, *recurrent, params.synapses)
    return numerator + held_drive[0], denominator + held_drive[1]


def derivative(v, cm, drive):
    """`dv/dt = (numerator - denominator * v) / cm` for `drive(v) -> (numerator, denominator)`."""
    numerator, denominator = drive(v)
    return (numerator - denominator * v) / cm
