import numpy as np
import pytest
from keras import ops

from keras_biosyn.ops import SynapseList, conductance_sums, sparse_conductance_sums


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
