"""Solver accuracy: one-step references and measured convergence orders."""

import numpy as np
import pytest
from keras import ops

from keras_biosyn import solvers
from keras_biosyn.ops import membrane_drive, sensory_drive
from tests import reference
from tests.ops.test_membrane import random_parameters


def _drive(params, x):
    held = sensory_drive(ops.convert_to_tensor(x), params)
    return lambda v: membrane_drive(v, params, held)


@pytest.mark.parametrize("name", sorted(solvers.SOLVERS))
def test_one_step_matches_reference(rng, name):
    p, params = random_parameters(rng)
    v = rng.normal(size=(3, 6))
    x = rng.normal(size=(3, 3))
    h = 0.05
    got = solvers.get(name)(ops.convert_to_tensor(v), h, params.cm, _drive(params, x), 0.0)
    expected = reference.SOLVERS[name](p, v, x, h, 0.0)
    np.testing.assert_allclose(ops.convert_to_numpy(got), expected, rtol=1e-11, atol=1e-12)


def _integrate(name, params, x, v0, total_time, unfolds):
    v = solvers.integrate(
        solvers.get(name),
        ops.convert_to_tensor(v0),
        total_time / unfolds,
        params.cm,
        _drive(params, x),
        0.0,
        unfolds,
    )
    return ops.convert_to_numpy(v)


def _measured_order(errors, unfolds):
    slope, _ = np.polyfit(np.log(1.0 / np.asarray(unfolds)), np.log(errors), 1)
    return slope


ORDERS = {"explicit_euler": 1.0, "semi_implicit": 1.0, "exponential": 1.0, "rk4": 4.0}


def _input_driven_system(rng):
    """No recurrent synapses: with the input held the ODE is linear, v(t) in closed form."""
    p, params = random_parameters(rng, density=0.0)
    params = params._replace(
        sensory_w=ops.convert_to_tensor(p["sensory_w"]),
        sensory_w_erev=ops.convert_to_tensor(p["sensory_w"] * p["sensory_erev"]),
    )
    x = rng.normal(size=(4, 3))
    v0 = rng.normal(size=(4, 6))
    _, gs = reference.conductances({**p, "sensory_adjacency": np.ones((3, 6))}, v0, x)
    denominator = p["gleak"] + gs.sum(1)
    v_inf = (p["gleak"] * p["vleak"] + (gs * p["sensory_erev"]).sum(1)) / denominator

    def exact(t):
        return v_inf + (v0 - v_inf) * np.exp(-denominator / p["cm"] * t)

    return params, x, v0, exact


@pytest.mark.parametrize("name", sorted(set(ORDERS) - {"exponential"}))
def test_convergence_order_against_exact_solution(rng, name):
    params, x, v0, exact = _input_driven_system(rng)
    unfolds = [16, 32, 64, 128]
    errors = [np.abs(_integrate(name, params, x, v0, 1.0, n) - exact(1.0)).max() for n in unfolds]
    assert _measured_order(errors, unfolds) == pytest.approx(ORDERS[name], abs=0.15)


@pytest.mark.parametrize("total_time", [1e-3, 0.1, 1.0, 10.0, 50.0])
def test_exponential_is_exact_without_recurrent_synapses_at_any_step_size(rng, total_time):
    """One step of any size is the analytic solution; more unfolds change nothing."""
    params, x, v0, exact = _input_driven_system(rng)
    for unfolds in (1, 3, 50):
        got = _integrate("exponential", params, x, v0, total_time, unfolds)
        np.testing.assert_allclose(got, exact(total_time), rtol=1e-12, atol=1e-13)
    # the other first-order steps are far from it at the same step size
    semi = _integrate("semi_implicit", params, x, v0, total_time, 1)
    if total_time >= 1.0:
        assert np.abs(semi - exact(total_time)).max() > 1e-3


@pytest.mark.parametrize("name", sorted(ORDERS))
def test_convergence_order_on_the_nonlinear_system(rng, name):
    p, params = random_parameters(rng, density=0.7)
    x = rng.normal(size=(4, 3))
    v0 = rng.normal(size=(4, 6))
    total_time = 0.5
    fine = v0
    fine_steps = 4096
    for _ in range(fine_steps):
        fine = reference.rk4(p, fine, x, total_time / fine_steps, 0.0)
    unfolds = [16, 32, 64, 128]
    errors = [np.abs(_integrate(name, params, x, v0, total_time, n) - fine).max() for n in unfolds]
    assert _measured_order(errors, unfolds) == pytest.approx(ORDERS[name], abs=0.2)


@pytest.mark.parametrize("name", ["semi_implicit", "exponential"])
def test_a_zero_step_keeps_the_state_exactly(rng, name):
    _, params = random_parameters(rng)
    v = rng.normal(size=(2, 6))
    out = solvers.get(name)(
        ops.convert_to_tensor(v),
        0.0,
        params.cm,
        _drive(params, rng.normal(size=(2, 3))),
        1e-8,
    )
    np.testing.assert_array_equal(ops.convert_to_numpy(out), v)


def test_unknown_solver_is_rejected():
    with pytest.raises(ValueError, match=r"solver.*Received: solver='euler'"):
        solvers.get("euler")
