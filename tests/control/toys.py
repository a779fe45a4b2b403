"""A toy environment and policy for the control loop's tests."""

import numpy as np


class Walk:
    """A 1-D walk: the action (-1 or +1) moves the position; the episode ends beyond +-limit.

    Reward 1 per step; truncated after `limit_steps`.
    """

    def __init__(self, limit=3, limit_steps=10):
        self.limit, self.limit_steps = limit, limit_steps
        self.action_space = Choice()

    def reset(self, seed=None):
        self.position, self.steps = 0, 0
        return np.array([self.position], np.float32), {}

    def step(self, action):
        self.position += action
        self.steps += 1
        terminated = abs(self.position) > self.limit
        truncated = self.steps >= self.limit_steps
        return np.array([self.position], np.float32), 1.0, terminated, truncated, {}


class Choice:
    def seed(self, seed):
        self.rng = np.random.default_rng(seed)

    def sample(self):
        return int(self.rng.choice([-1, 1]))


class Constant:
    """A policy that outputs `value` and counts its calls and resets."""

    def __init__(self, value):
        self.value, self.calls, self.resets, self.name, self.step_seconds = value, 0, 0, "c", []

    def reset(self):
        self.resets += 1
        self.step_seconds = []

    def __call__(self, observation):
        self.calls += 1
        self.step_seconds.append(1e-6)
        return np.array([self.value], np.float32)


def sign(output):
    """The walk's action for an output: +1 if positive, else -1."""
    return 1 if output[0] > 0 else -1


def back_to_zero(env):
    """The walk's expert: a label pushing the position back towards 0."""
    return np.array([-1.0 if env.position > 0 else 1.0], np.float32)
