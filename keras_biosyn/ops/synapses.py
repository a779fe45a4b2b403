"""Biophysical synapses: sigmoidal activation and conductance of chemical synapses.

Two layouts compute the same sums. The dense layout evaluates every `(j, i)`
pair of `(J, I)` parameter matrices in which absent synapses have `w == 0`; it
costs `batch * J * I` per call. The sparse layout evaluates only the synapses
listed in a `SynapseList` and costs `batch * S` for `S` synapses.
"""

from __future__ import annotations

from typing import NamedTuple

from keras import ops


class SynapseList(NamedTuple):
    """The existing synapses as index lists, for the sparse layout.

    Attributes:
        pre: Presynaptic neuron of each synapse, int tensor of shape `(S,)`.
        post: Postsynaptic neuron of each synapse, int tensor of shape `(S,)`.
        units: Number of postsynaptic neurons (a Python int).
    """

    pre: object
    post: object
    units: int


def mask_synapses(weights, adjacency):
    """`weights` with absent synapses zeroed: `weights * |adjacency|`.

    Args:
        weights: Per-synapse parameters, shape `(J, I)` (`[pre, post]`).
        adjacency: The wiring's signed adjacency (+1, -1, 0 = no synapse),
            shape `(J, I)`.

    Returns:
        A tensor of the shape of `weights`.
    """
    return weights * ops.abs(adjacency)


def synapse_activation(presynaptic, sigma, mu):
    """Opening of each synapse, `σ(sigma[j, i] * (v[j] - mu[j, i]))`.

    Args:
        presynaptic: Presynaptic potentials `v`, shape `(batch, J)`.
        sigma: Slopes, shape `(J, I)`.
        mu: Midpoints, shape `(J, I)`.

    Returns:
        Activations in `(0, 1)`, shape `(batch, J, I)`.
    """
    return ops.sigmoid(sigma * (ops.expand_dims(presynaptic, -1) - mu))


def conductance(presynaptic, w, sigma, mu):
    """Conductance `G[j, i] = w[j, i] σ(sigma[j, i] (v[j] - mu[j, i]))`, `(batch, J, I)`.

    `w` is the maximum conductance with absent synapses already zeroed.
    """
    return w * synapse_activation(presynaptic, sigma, mu)


def synapse_currents(presynaptic, w, w_erev, sigma, mu):
    """Per-synapse `(G[j, i] * erev[j, i], G[j, i])`, each of shape `(batch, J, I)`.

    Args:
        presynaptic: Presynaptic potentials, shape `(batch, J)`.
        w: Maximum conductances, absent synapses zeroed, shape `(J, I)`.
        w_erev: `w * erev`, shape `(J, I)`.
        sigma: Slopes, shape `(J, I)`.
        mu: Midpoints, shape `(J, I)`.
    """
    activation = synapse_activation(presynaptic, sigma, mu)
    return activation * w_erev, activation * w


def conductance_sums(presynaptic, w, w_erev, sigma, mu, currents=None):
    """Sums of the synaptic conductances onto each postsynaptic neuron (dense layout).

    Args:
        presynaptic, w, w_erev, sigma, mu: As for `synapse_currents`.
        currents: `synapse_currents(presynaptic, w, w_erev, sigma, mu)` when
            the caller already has them (they are then summed, not recomputed).

    Returns:
        A tuple `(Σ_j G[j, i] * erev[j, i], Σ_j G[j, i])`, each of shape
        `(batch, I)`: the synaptic current is `Σ_j G (erev - v) = first - second * v`.
    """
    if currents is None:
        currents = synapse_currents(presynaptic, w, w_erev, sigma, mu)
    g_erev, g = currents
    return ops.sum(g_erev, axis=-2), ops.sum(g, axis=-2)


def gather_synapses(matrices, pre, post, units: int) -> list:
    """The entries `[pre, post]` of each `(units, units)` matrix, as `(S,)` vectors.

    One gather of the stacked matrices, whose gradient is one scatter.
    """
    stacked = ops.reshape(ops.stack(matrices), (len(matrices), -1))
    return ops.unstack(ops.take(stacked, pre * units + post, axis=1))


def sparse_conductance_sums(presynaptic, w, w_erev, sigma, mu, synapses: SynapseList):
    """`conductance_sums` over the listed synapses only (sparse layout).

    Works synapse-major: the presynaptic potentials are gathered into an
    `(S, batch)` array and both currents are summed per postsynaptic neuron by
    one segment sum, which measured faster on CPU, forward and backward, than
    batch-major gathers or one-hot products (benchmarks/sparse_kernels.py).

    Args:
        presynaptic: Presynaptic potentials, shape `(batch, J)`.
        w, w_erev, sigma, mu: Per-synapse parameters, each of shape `(S,)`,
            in the order of `synapses`.
        synapses: The `SynapseList`.

    Returns:
        The same `(Σ_j G erev, Σ_j G)` tuple as `conductance_sums`, each of
        shape `(batch, synapses.units)`.
    """
    batch = ops.shape(presynaptic)[0]
    gathered = ops.take(ops.transpose(presynaptic), synapses.pre, axis=0)  # (S, batch)
    activation = ops.sigmoid(ops.expand_dims(sigma, 1) * (gathered - ops.expand_dims(mu, 1)))
    currents = ops.concatenate(
        [activation * ops.expand_dims(w_erev, 1), activation * ops.expand_dims(w, 1)], axis=1
    )
    sums = ops.transpose(
        ops.segment_sum(currents, synapses.post, num_segments=synapses.units)
    )  # (2 * batch, units)
    return sums[:batch], sums[batch:]


def folded_synapses(sigma, mu):
    """A dense synapse group's `sigma * (v - mu)` as `slope * v + offset`: `(slope, offset)`.

    `slope = sigma` and `offset = -sigma * mu`, both `(J, I)`. The same numbers
    in the form the device step exports: int8 quantizes the sigmoid's argument
    well when it is one product plus a constant (benchmarks/int8_study.py).
    """
    return sigma, -sigma * mu


def folded_conductance_sums(presynaptic, w, w_erev, slope, offset):
    """`conductance_sums` of a folded synapse group (`folded_synapses`).

    The two sums come out as two tensors, each quantized with its own scale in
    an int8 model: stacked in one tensor, the denominator `Σ G`, which is
    positive and often small, lost its resolution to the numerator's range and
    a briefly trained AutoNCP collapsed to chance (benchmarks/int8_study.py).

    Args:
        presynaptic: Presynaptic potentials (or mapped inputs), `(batch, J)`.
        w, w_erev: As for `conductance_sums`, `(J, I)`.
        slope, offset: From `folded_synapses`, `(J, I)`.

    Returns:
        A tuple `(Σ_j G[j, i] * erev[j, i], Σ_j G[j, i])`, each `(batch, I)`,
        with `G[j, i] = w[j, i] σ(slope[j, i] v[j] + offset[j, i])`.

    Example:

    ```python
    slope, offset = folded_synapses(sigma, mu)
    numerator, denominator = folded_conductance_sums(v, w, w * erev, slope, offset)
    ```
    """
    activation = ops.sigmoid(ops.expand_dims(presynaptic, -1) * slope + offset)  # (b, J, I)
    return ops.sum(activation * w_erev, axis=-2), ops.sum(activation * w, axis=-2)
