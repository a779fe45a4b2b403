"""The continuous-time RNN (CT-RNN) neuron with additive, electrical-style synapses.

    tau dv/dt = -v + Σ_j W[j, ·] tanh(v_j) + Σ_k U[k, ·] x_k + bias

which reads `tau dv/dt = numerator - denominator * v` with
`numerator = tanh(v) @ W + x @ U + bias` and `denominator = 1`, so the same
solvers integrate it. It is the baseline with the same neurons as the LTC
cell but plain synapses: one weight per synapse instead of four.
"""

from __future__ import annotations

from keras import ops


def ctrnn_input_current(x, sensory_w, bias):
    """The input current `x @ U + bias`, held over an input step.

    Args:
        x: Mapped inputs, shape `(batch, M)`.
        sensory_w: Input weights with absent synapses zeroed, shape `(M, N)`.
        bias: Per-neuron bias, shape `(N,)`.
    """
    return ops.matmul(x, sensory_w) + bias


def ctrnn_drive(v, w, held):
    """`(numerator, denominator)` of the CT-RNN at state `v`.

    Args:
        v: Membrane states, shape `(batch, N)`.
        w: Recurrent weights with absent synapses zeroed, shape `(N, N)`, `[pre, post]`.
        held: `ctrnn_input_current(x, U, bias)`, shape `(batch, N)`, held over the step.
    """
    return ops.matmul(ops.tanh(v), w) + held, ops.ones_like(v)
