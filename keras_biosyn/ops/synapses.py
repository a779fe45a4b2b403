"""Biophysical synapses: sigmoidal activation and conductance of chemical synapses."""

from keras import ops


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
    """Conductance of each synapse, `G[j, i] = w[j, i] * σ(sigma[j, i] * (v[j] - mu[j, i]))`.

    `w` is the maximum conductance with absent synapses already zeroed.
    Returns a tensor of shape `(batch, J, I)`.
    """
    return w * synapse_activation(presynaptic, sigma, mu)


def conductance_sums(presynaptic, w, w_erev, sigma, mu):
    """Sums of the synaptic conductances onto each postsynaptic neuron.

    Args:
        presynaptic: Presynaptic potentials, shape `(batch, J)`.
        w: Maximum conductances, absent synapses zeroed, shape `(J, I)`.
        w_erev: `w * erev`, shape `(J, I)`.
        sigma: Slopes, shape `(J, I)`.
        mu: Midpoints, shape `(J, I)`.

    Returns:
        A tuple `(Σ_j G[j, i] * erev[j, i], Σ_j G[j, i])`, each of shape
        `(batch, I)`: the synaptic current is `Σ_j G (erev - v) = first - second * v`.
    """
    activation = synapse_activation(presynaptic, sigma, mu)
    return ops.sum(activation * w_erev, axis=-2), ops.sum(activation * w, axis=-2)
