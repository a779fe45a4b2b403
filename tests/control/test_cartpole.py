import numpy as np
import pytest

from keras_biosyn.control import (
    OBSERVATION_SCALE,
    CartPoleLQR,
    cartpole_action,
    evaluate_policy,
    linearized_cartpole,
    lqr_gains,
    make_cartpole,
)

gymnasium = pytest.importorskip("gymnasium")


@pytest.fixture
def env():
    env = make_cartpole()
    yield env
    env.close()


def _step_from(env, state, action):
    env.reset(seed=0)
    env.unwrapped.state = np.array(state, np.float64)
    env.step(action)
    return np.asarray(env.unwrapped.state, np.float64)


def test_linearization_matches_the_simulator_near_upright(env):
    """A and B against finite differences of Gymnasium's own step (float64 reference)."""
    a, b = linearized_cartpole(env)
    force = env.unwrapped.force_mag
    # Gymnasium pushes with +-force_mag: B from the difference of the two pushes at rest,
    # A from small state offsets under the push's mean (zero force: average of both).
    upright = np.zeros(4)
    b_measured = (_step_from(env, upright, 1) - _step_from(env, upright, 0)) / (2 * force)
    np.testing.assert_allclose(b[:, 0], b_measured, rtol=1e-6, atol=1e-12)
    eps = 1e-6
    for k in range(4):
        offset = np.eye(4)[k] * eps
        mean_step = 0.5 * (_step_from(env, offset, 1) + _step_from(env, offset, 0))
        np.testing.assert_allclose(a[:, k], mean_step / eps, rtol=1e-4, atol=1e-6)


def test_lqr_gains_solve_the_riccati_equation_and_stabilise():
    rng = np.random.default_rng(0)
    a = np.eye(3) + 0.1 * rng.normal(size=(3, 3))
    b = rng.normal(size=(3, 1))
    q, r = np.diag([1.0, 2.0, 3.0]), np.array([[0.5]])
    gains = lqr_gains(a, b, q, r)
    # K = (R + B'PB)^-1 B'PA for the P of the closed loop: P = Q + K'RK + (A-BK)'P(A-BK)
    closed = a - b @ gains
    p = q + gains.T @ r @ gains
    for _ in range(5000):
        p = q + gains.T @ r @ gains + closed.T @ p @ closed
    np.testing.assert_allclose(gains, np.linalg.solve(r + b.T @ p @ b, b.T @ p @ a), atol=1e-8)
    assert np.max(np.abs(np.linalg.eigvals(closed))) < 1.0


def test_lqr_gains_say_when_no_control_can_stabilise():
    a = np.diag([1.5, 0.5])
    b = np.array([[0.0], [1.0]])  # the unstable mode cannot be reached
    with pytest.raises(ValueError, match="stabilisable"):
        lqr_gains(a, b, np.eye(2), 1.0, iterations=200)


def test_observation_hides_the_velocities(env):
    observation, _ = env.reset(seed=3)
    state = np.asarray(env.unwrapped.state)
    np.testing.assert_allclose(observation, state[[0, 2]] / np.asarray(OBSERVATION_SCALE), 1e-6)
    assert env.observation_space.shape == (2,)


def test_action_is_the_sign_of_the_output():
    assert cartpole_action(np.array([0.3])) == 1
    assert cartpole_action(np.array([-0.3])) == 0
    assert cartpole_action([[0.0]]) == 0


def test_the_expert_balances_every_seeded_episode(env):
    result = evaluate_policy(CartPoleLQR(env).policy(env), env, cartpole_action, seeds=range(5))
    np.testing.assert_array_equal(result.returns, 500.0)
    assert 0.0 < abs(CartPoleLQR(env)(env)[0]) <= 1.0


def test_the_velocity_blind_expert_is_the_expert_without_velocities_and_falls(env):
    expert = CartPoleLQR(env)
    observation, _ = env.reset(seed=1)
    env.unwrapped.state = np.array([env.unwrapped.state[0], 0.0, env.unwrapped.state[2], 0.0])
    blind = expert.velocity_blind_policy()
    np.testing.assert_allclose(blind(observation), expert(env), rtol=1e-5)  # (unclipped here)
    result = evaluate_policy(blind, env, cartpole_action, seeds=range(5))
    assert result.mean_return < 100  # memory matters: the expert balances all 500 steps
