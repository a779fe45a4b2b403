import numpy as np
import pytest
from keras import ops

from keras_biosyn.ops import (
    SynapseList,
    conductance_sums,
    folded_conductance_sums,
    folded_synapses,
    sparse_conductance_sums,
)


@pytest.mark.parametrize("density", [0.0, 0.2, 1.0])
def test_sparse_sums_equal_dense_sums(rng, density):
    n, batch = 9, 5
    mask = rng.random((n, n)) < density
    w = rng.uniform(0, 1, (n, n)) * mask
    erev = rng.uniform(-1, 1, (n, n))
    sigma, mu = rng.uniform(-5, 5, (n, n)), rng.uniform(-1, 1, (n, n))
    v = rng.normal(size=(batch, n))
    dense = conductance_sums(v, w, w * erev, sigma, mu)
    pre, post = np.nonzero(mask)
    sparse = sparse_conductance_sums(
        v,
        w[pre, post],
        (w * erev)[pre, post],
        sigma[pre, post],
        mu[pre, post],
        SynapseList(pre, post, n),
    )
    for d, s in zip(dense, sparse, strict=True):
        assert tuple(s.shape) == (batch, n)
        np.testing.assert_allclose(ops.convert_to_numpy(s), ops.convert_to_numpy(d), atol=1e-12)


def test_sums_of_folded_synapses_match_a_float64_reference(rng):
    """`slope * v + offset` and the two sums give Σ G erev and Σ G (float64 NumPy)."""
    j, i = 5, 4
    v = rng.normal(size=(3, j))
    w = rng.uniform(0, 1, size=(j, i)) * (rng.uniform(size=(j, i)) > 0.3)
    erev = rng.choice([-1.0, 1.0], size=(j, i))
    sigma, mu = rng.uniform(3, 8, size=(j, i)), rng.uniform(0.3, 0.8, size=(j, i))
    slope, offset = folded_synapses(sigma, mu)
    numerator, denominator = folded_conductance_sums(v, w, w * erev, slope, offset)
    g = w / (1.0 + np.exp(-sigma * (v[:, :, None] - mu)))  # (3, j, i)
    assert np.shape(numerator) == np.shape(denominator) == (3, i)
    np.testing.assert_allclose(
        np.asarray(numerator), np.sum(g * erev, axis=1), rtol=1e-10, atol=1e-12
    )
    np.testing.assert_allclose(np.asarray(denominator), np.sum(g, axis=1), rtol=1e-10, atol=1e-12)
