import numpy as np
import pytest
from keras import ops

from keras_biosyn.ops import (
    CircuitParameters,
    conductance,
    conductance_sums,
    derivative,
    membrane_drive,
    sensory_drive,
)
from tests import reference


def random_parameters(rng, n=6, m=3, density=0.6):
    """Random parameters as a reference dict and as float64 `CircuitParameters`."""
    mask = (rng.random((n, n)) < density).astype(np.float64)
    sensory_mask = (rng.random((m, n)) < density).astype(np.float64)
    p = reference.random_values(rng, n, m, n)
    p.update(adjacency=mask, sensory_adjacency=sensory_mask)
    w = p["w"] * mask
    sw = p["sensory_w"] * sensory_mask
    params = CircuitParameters(
        cm=p["cm"],
        gleak=p["gleak"],
        vleak=p["vleak"],
        w=w,
        w_erev=w * p["erev"],
        sigma=p["sigma"],
        mu=p["mu"],
        sensory_w=sw,
        sensory_w_erev=sw * p["sensory_erev"],
        sensory_sigma=p["sensory_sigma"],
        sensory_mu=p["sensory_mu"],
    )
    params = CircuitParameters(
        *(ops.convert_to_tensor(a, "float64") for a in params[: len(params) - 2])
    )  # the last fields, `synapses` and `sensory_synapses`, stay None: the dense layout
    return p, params


def test_conductance_matches_reference(rng):
    p, params = random_parameters(rng)
    v = rng.normal(size=(4, 6))
    x = rng.normal(size=(4, 3))
    g_ref, gs_ref = reference.conductances(p, v, x)
    g = conductance(ops.convert_to_tensor(v), params.w, params.sigma, params.mu)
    np.testing.assert_allclose(ops.convert_to_numpy(g), g_ref, rtol=1e-12, atol=1e-14)
    num, den = conductance_sums(
        ops.convert_to_tensor(x),
        params.sensory_w,
        params.sensory_w_erev,
        params.sensory_sigma,
        params.sensory_mu,
    )
    np.testing.assert_allclose(ops.convert_to_numpy(den), gs_ref.sum(1), rtol=1e-12)
    np.testing.assert_allclose(
        ops.convert_to_numpy(num),
        (gs_ref * p["sensory_erev"]).sum(1),
        rtol=1e-12,
        atol=1e-14,
    )


def test_linear_form_equals_the_membrane_equation(rng):
    """numerator - denominator * v is cm times the physical right-hand side."""
    p, params = random_parameters(rng)
    v = rng.normal(size=(5, 6))
    x = rng.normal(size=(5, 3))
    held = sensory_drive(ops.convert_to_tensor(x), params)

    def drive(state):
        return membrane_drive(state, params, held)

    dvdt = derivative(ops.convert_to_tensor(v), params.cm, drive)
    np.testing.assert_allclose(
        ops.convert_to_numpy(dvdt), reference.rhs(p, v, x), rtol=1e-11, atol=1e-12
    )
    _, denominator = (ops.convert_to_numpy(t) for t in drive(v))
    # A = -denominator / cm is never positive: the system is dissipative.
    assert (denominator > 0).all()


@pytest.mark.parametrize("density", [0.0, 1.0])
def test_empty_and_full_graphs(rng, density):
    p, params = random_parameters(rng, density=density)
    v = rng.normal(size=(2, 6))
    x = rng.normal(size=(2, 3))
    held = sensory_drive(ops.convert_to_tensor(x), params)
    numerator, denominator = membrane_drive(ops.convert_to_tensor(v), params, held)
    if density == 0.0:
        np.testing.assert_allclose(ops.convert_to_numpy(denominator), np.tile(p["gleak"], (2, 1)))
    dvdt = (ops.convert_to_numpy(numerator) - ops.convert_to_numpy(denominator) * v) / p["cm"]
    np.testing.assert_allclose(dvdt, reference.rhs(p, v, x), rtol=1e-11, atol=1e-12)
