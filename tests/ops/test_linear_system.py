"""The linear system read off the cell: identities with the cell's own maths."""

import numpy as np
import pytest
from keras import ops

from keras_biosyn import BioSynLTCCell, solvers
from keras_biosyn.ops import COEFFICIENTS, derivative, membrane_drive, sensory_drive
from tests import reference
from tests.testing import make_wiring

# neurons per wiring kind (tests.testing.make_wiring); the AutoNCP computes sparsely
WIRINGS = {"fully_connected": 6, "auto_ncp": 10}


def built(rng, wiring, **kwargs):
    cell = BioSynLTCCell(make_wiring(wiring, units=WIRINGS[wiring]), dtype="float64", **kwargs)
    cell.build((None, 3 + int(kwargs.get("time_input", False))))
    reference.randomize_cell(cell, rng)
    return cell


def drive_of(cell, u):
    x, _ = cell.split_inputs(ops.convert_to_tensor(u))
    params = cell.circuit_parameters()
    held = sensory_drive(x, params)
    return params, lambda v: membrane_drive(v, params, held)


@pytest.mark.parametrize("wiring", sorted(WIRINGS))
def test_a_v_plus_b_is_the_right_hand_side(rng, wiring):
    cell = built(rng, wiring)
    u, v = rng.normal(size=(4, 3)), rng.uniform(-1, 1, size=(4, cell.units))
    system = {k: ops.convert_to_numpy(t) for k, t in cell.linear_system(u, [v]).items()}
    assert set(system) == set(COEFFICIENTS)
    params, drive = drive_of(cell, u)
    rhs = ops.convert_to_numpy(derivative(ops.convert_to_tensor(v), params.cm, drive))
    np.testing.assert_allclose(system["A"] * v + system["b"], rhs, rtol=1e-12, atol=1e-12)
    # and the independent reference written from the ODE
    x = reference.map_inputs(reference.cell_weights(cell), u, cell.input_mapping)
    np.testing.assert_allclose(
        system["A"] * v + system["b"],
        reference.rhs(reference.cell_weights(cell), v, x),
        rtol=1e-10,
        atol=1e-12,
    )


@pytest.mark.parametrize("wiring", sorted(WIRINGS))
def test_one_fused_step_is_implicit_euler_on_the_frozen_system(rng, wiring):
    cell = built(rng, wiring, epsilon=0.0)
    u, v = rng.normal(size=(4, 3)), rng.uniform(-1, 1, size=(4, cell.units))
    system = cell.linear_system(u, [v])
    a, b = ops.convert_to_numpy(system["A"]), ops.convert_to_numpy(system["b"])
    params, drive = drive_of(cell, u)
    for h in (0.01, 1.0 / 6, 10.0):
        step = solvers.semi_implicit_step(ops.convert_to_tensor(v), h, params.cm, drive, 0.0)
        np.testing.assert_allclose(
            ops.convert_to_numpy(step), (v + h * b) / (1 - h * a), rtol=1e-12, atol=1e-12
        )


@pytest.mark.parametrize("wiring", sorted(WIRINGS))
def test_one_exponential_step_is_the_exact_flow_of_the_frozen_system(rng, wiring):
    """`v(h) = v_inf + (v - v_inf) exp(A h)` with `v_inf = -b / A`, read off `linear_system`."""
    cell = built(rng, wiring, epsilon=0.0, solver="exponential", ode_unfolds=1)
    u, v = rng.normal(size=(4, 3)), rng.uniform(-1, 1, size=(4, cell.units))
    system = cell.linear_system(u, [v])
    a, b = ops.convert_to_numpy(system["A"]), ops.convert_to_numpy(system["b"])
    params, drive = drive_of(cell, u)
    for h in (0.01, 1.0, 50.0):
        step = solvers.exponential_step(ops.convert_to_tensor(v), h, params.cm, drive, 0.0)
        np.testing.assert_allclose(
            ops.convert_to_numpy(step),
            -b / a + (v + b / a) * np.exp(a * h),
            rtol=1e-12,
            atol=1e-12,
        )
    _, new_state = cell(ops.convert_to_tensor(u), [ops.convert_to_tensor(v)])
    np.testing.assert_allclose(
        ops.convert_to_numpy(new_state[0]), -b / a + (v + b / a) * np.exp(a), rtol=1e-12
    )


def test_parts_add_up_and_signs_hold(rng):
    cell = built(rng, "auto_ncp")
    u, v = rng.normal(size=(5, 3)), rng.uniform(-1, 1, size=(5, cell.units))
    s = {k: ops.convert_to_numpy(t) for k, t in cell.linear_system(u, [v]).items()}
    np.testing.assert_allclose(
        s["leak_A"] + s["recurrent_A"] + s["input_A"].sum(1), s["A"], rtol=1e-12
    )
    np.testing.assert_allclose(
        s["leak_b"] + s["recurrent_b"] + s["input_b"].sum(1), s["b"], rtol=1e-12, atol=1e-14
    )
    assert (s["A"] < 0).all() and (s["tau"] > 0).all()
    np.testing.assert_allclose(s["tau"], -1.0 / s["A"], rtol=1e-12)
    # conductances: non-negative, zero exactly where no synapse exists
    mask = np.abs(cell.adjacency.numpy()) > 0
    assert (s["conductance"] >= 0).all() and not s["conductance"][:, ~mask].any()
    assert s["conductance"].shape == (5, cell.units, cell.units)
    assert s["sensory_conductance"].shape == (5, 3, cell.units)


def test_time_input_feature_is_not_an_input_of_the_system(rng):
    cell = built(rng, "fully_connected", time_input=True)
    u, v = rng.normal(size=(2, 4)), rng.normal(size=(2, cell.units))
    system = cell.linear_system(u, [v])
    assert system["input_A"].shape == (2, 3, cell.units)
    u2 = u.copy()
    u2[:, -1] = 7.0  # the elapsed time changes the step, not the coefficients
    other = cell.linear_system(u2, [v])
    for name in system:
        np.testing.assert_array_equal(
            ops.convert_to_numpy(system[name]), ops.convert_to_numpy(other[name])
        )
