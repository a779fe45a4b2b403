"""Cart-pole with the velocities hidden, and its expert: an LQR controller on the full state.

The policy sees the cart's position and the pole's angle only (scaled by
`OBSERVATION_SCALE`), so it must infer both velocities from their history:
memory matters. The expert reads the full state from the environment.
"""

from __future__ import annotations

import numpy as np

# The observation the policy sees: (cart position, pole angle) of Gymnasium's
# (position, velocity, angle, angular velocity), each divided by its scale (metres,
# radians): about the spread of each under the expert, so that both readings span
# a similar range, which int8's one scale per input tensor needs.
OBSERVED = (0, 2)
OBSERVATION_SCALE = (0.1, 0.01)
# How `dagger` teaches this task in the benchmark (benchmarks/closed_loop.py) and the tutorial:
# six rounds of ten episodes, a random push on 20 % of the steps while gathering (without it
# the first students fell within ~30 steps and DAgger gathered little), 150 epochs after the
# expert's round and 60 after each later one, on windows of 64 steps.
CARTPOLE_DAGGER = {
    "rounds": 6,
    "episodes": 10,
    "first_epochs": 150,
    "epochs": 60,
    "explore": 0.2,
    "window": 64,
}


def make_cartpole(max_episode_steps: int | None = None):
    """Gymnasium's `CartPole-v1` with the velocities hidden.

    Observations are `(x / 0.1 m, theta / 0.01 rad)`; actions are 0 (push
    left) and 1 (push right); the reward is 1 per step balanced, at most 500
    per episode (Gymnasium's limit) unless `max_episode_steps` says otherwise.
    Needs `gymnasium` (the `control` extra).

    Example:

    ```python
    env = make_cartpole()
    observation, _ = env.reset(seed=0)     # (2,)
    ```
    """
    try:
        import gymnasium
    except ImportError as error:
        raise ImportError(
            "The cart-pole environment needs gymnasium: pip install 'keras-biosyn[control]'"
        ) from error
    env = gymnasium.make("CartPole-v1", max_episode_steps=max_episode_steps)
    scale = np.asarray(OBSERVATION_SCALE, np.float32)
    space = gymnasium.spaces.Box(-np.inf, np.inf, (len(OBSERVED),), np.float32)
    return gymnasium.wrappers.TransformObservation(
        env, lambda observation: (observation[list(OBSERVED)] / scale).astype(np.float32), space
    )


def cartpole_action(output) -> int:
    """The cart-pole action for an output (a policy's or the expert's): 1 (right) if positive."""
    return int(np.asarray(output).reshape(-1)[0] > 0)


def linearized_cartpole(env) -> tuple[np.ndarray, np.ndarray]:
    """`(A, B)` of Gymnasium's cart-pole linearised upright, one Euler step of `tau`.

    The state is `(x, x_dot, theta, theta_dot)` and the input the force in
    newtons; the constants are read from `env.unwrapped` (Barto, Sutton and
    Anderson's equations, as Gymnasium integrates them).
    """
    plant = env.unwrapped
    total_mass = plant.masscart + plant.masspole
    # theta_acc = (g theta - F / M) / d and x_acc = F / M - m l theta_acc / M, at theta = 0
    d = plant.length * (4.0 / 3.0 - plant.masspole / total_mass)
    lever = plant.masspole * plant.length / total_mass
    continuous_a = np.zeros((4, 4))
    continuous_b = np.zeros((4, 1))
    continuous_a[0, 1] = continuous_a[2, 3] = 1.0
    continuous_a[3, 2] = plant.gravity / d
    continuous_a[1, 2] = -lever * plant.gravity / d
    continuous_b[3, 0] = -1.0 / (total_mass * d)
    continuous_b[1, 0] = 1.0 / total_mass + lever / (total_mass * d)
    return np.eye(4) + plant.tau * continuous_a, plant.tau * continuous_b


def lqr_gains(a, b, q, r, iterations: int = 10_000, tolerance: float = 1e-10) -> np.ndarray:
    """The discrete-time LQR gains `K` (control `u = -K s`), by Riccati iteration."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    q, r = np.asarray(q, np.float64), np.atleast_2d(np.asarray(r, np.float64))
    p = q.copy()
    for _ in range(iterations):
        gains = np.linalg.solve(r + b.T @ p @ b, b.T @ p @ a)
        updated = q + a.T @ p @ (a - b @ gains)
        if np.max(np.abs(updated - p)) < tolerance * max(1.0, np.max(np.abs(p))):
            return gains
        p = updated
    raise ValueError("The Riccati iteration did not converge: is (A, B) stabilisable?")


class CartPoleLQR:
    """The expert: an LQR controller on cart-pole's full state, its force as a label.

    The gains come from `lqr_gains` on `linearized_cartpole` with the state
    cost `q` and the force cost `r`. Called on the environment, it returns the
    label the student learns, the LQR force as a fraction of the push
    (clipped to [-1, 1]); `cartpole_action` turns it into the push's direction.

    Args:
        env: The cart-pole environment (its constants give the model).
        q: The state cost's diagonal, `(x, x_dot, theta, theta_dot)`.
        r: The force's cost.

    Example:

    ```python
    env = make_cartpole()
    expert = CartPoleLQR(env)
    env.reset(seed=0)
    cartpole_action(expert(env))           # 0 or 1
    ```
    """

    def __init__(self, env, q=(1.0, 1.0, 10.0, 1.0), r: float = 0.1):
        self.gains = lqr_gains(*linearized_cartpole(env), np.diag(q), r)[0]
        self.force_mag = float(env.unwrapped.force_mag)

    def __call__(self, env) -> np.ndarray:
        force = -float(self.gains @ np.asarray(env.unwrapped.state, np.float64))
        return np.array([np.clip(force / self.force_mag, -1.0, 1.0)], np.float32)

    def policy(self, env):
        """The expert as a policy of `env` (for `run_episode`): it reads the full state."""
        return lambda observation: self(env)

    def velocity_blind_policy(self):
        """The same gains on what a student sees (position and angle), velocities taken as 0.

        The baseline that shows memory matters: it balances only briefly.
        """
        gains = self.gains[list(OBSERVED)] * np.asarray(OBSERVATION_SCALE) / self.force_mag
        return lambda observation: np.array([-float(gains @ observation)], np.float32)
