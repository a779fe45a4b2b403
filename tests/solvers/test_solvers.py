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


ORDERS = {"explicit_euler": 1.0, "semi_implicit": 1.0, "rk4": 4.0}


@pytest.mark.parametrize("name", sorted(ORDERS))
def test_convergence_order_against_exact_solution(rng, name):
    """Without recurrent synapses the ODE is linear: v(t) has a closed form."""
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
    total_time = 1.0
    exact = v_inf + (v0 - v_inf) * np.exp(-denominator / p["cm"] * total_time)
    unfolds = [16, 32, 64, 128]
    errors = [
        np.abs(_integrate(name, params, x, v0, total_time, n) - exact).max() for n in unfolds
    ]
    assert _measured_order(errors, unfolds) == pytest.approx(ORDERS[name], abs=0.15)


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


def test_semi_implicit_with_zero_step_keeps_the_state(rng):
    _, params = random_parameters(rng)
    v = rng.normal(size=(2, 6))
    out = solvers.semi_implicit_step(
        ops.convert_to_tensor(v),
        0.0,
        params.cm,
        _drive(params, rng.normal(size=(2, 3))),
        1e-8,
    )
    np.testing.assert_allclose(ops.convert_to_numpy(out), v, rtol=1e-12)


def test_unknown_solver_is_rejected():
    with pytest.raises(ValueError, match=r"solver.*Received: solver='euler'"):
        solvers.get("euler")
