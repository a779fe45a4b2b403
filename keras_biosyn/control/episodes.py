"""Closed-loop episodes: a policy drives an environment, and what it did is kept."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from keras_biosyn.utils.validation import check_int

# `expert(env) -> label`: the output the student should give now, read from the full state.
Expert = Callable[[object], np.ndarray]
# `action(output) -> env action`: what the environment is sent for a policy's (or expert's) output.
ActionMap = Callable[[np.ndarray], object]


@dataclass(frozen=True, eq=False)
class Episode:
    """One closed-loop episode.

    Attributes:
        seed: The environment's reset seed.
        total_reward: The episode's return (sum of rewards).
        observations: What the policy saw, `(steps, features)`.
        outputs: The policy's outputs, `(steps, outputs)` (empty without a policy).
        labels: The expert's labels at the same steps, `(steps, outputs)`, or
            `None` without an expert.
        actions: The actions sent to the environment, `(steps, ...)`.
        expert_acted: Whether the expert's action was sent at each step, `(steps,)`.
        terminated: Whether the episode ended in a terminal state (a
            failure, for balancing tasks) rather than by its time limit.
        step_seconds: The policy's wall time per step, `(steps,)`.
    """

    seed: int | None
    total_reward: float
    observations: np.ndarray
    outputs: np.ndarray
    labels: np.ndarray | None
    actions: np.ndarray
    expert_acted: np.ndarray
    terminated: bool
    step_seconds: np.ndarray

    @property
    def steps(self) -> int:
        return len(self.observations)


def run_episode(
    policy,
    env,
    action: ActionMap,
    seed: int | None = None,
    *,
    expert: Expert | None = None,
    expert_share: float = 0.0,
    explore: float = 0.0,
    max_steps: int | None = None,
    rng: np.random.Generator | None = None,
) -> Episode:
    """Runs one episode of `env` closed loop: observation in, `action(policy(observation))` out.

    The policy is called on every step, also when the expert acts, so that
    its state follows what it sees (as DAgger needs). With an expert, each
    step is labelled with `expert(env)` before the action is taken.

    Args:
        policy: A callable `observation -> output` (a `StreamingPolicy`, or
            any function; its `reset()`, if it has one, is called first), or
            `None` to let the expert drive alone.
        env: A Gymnasium-style environment: `reset(seed=)` returns
            `(observation, info)` and `step(action)` returns `(observation,
            reward, terminated, truncated, info)`.
        action: Maps an output (the policy's, or the expert's label) to the
            action sent to `env`.
        seed: The reset seed.
        expert: Optional `expert(env) -> label`, read from the environment's
            full state.
        expert_share: The probability that the expert's action is sent
            instead of the policy's at each step (1: the expert drives).
        explore: The probability that a random action
            (`env.action_space.sample()`) is sent instead, to visit states
            off the driver's path (the labels stay the expert's).
        max_steps: Stop after this many steps (default: when `env` ends it).
        rng: Draws the expert's turns (default: seeded with `seed`).

    Returns:
        An `Episode`.

    Example:

    ```python
    policy = StreamingPolicy.from_file("controller_int8.tflite", runtime="tflite_micro")
    episode = run_episode(policy, make_cartpole(), cartpole_action, seed=0)
    episode.total_reward, episode.steps
    ```
    """
    for name, value in (("expert_share", expert_share), ("explore", explore)):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"Expected {name} in [0, 1]. Received: {name}={value}")
    if expert_share > 0 and expert is None:
        raise ValueError(f"expert_share={expert_share} needs an expert. Received: expert=None")
    if policy is None and expert_share < 1.0:
        raise ValueError(
            f"Without a policy the expert must drive: expert_share=1. Received: {expert_share}"
        )
    if max_steps is not None:
        check_int("max_steps", max_steps, minimum=1)
    rng = rng or np.random.default_rng(seed)
    observation, _ = env.reset(seed=seed)
    if explore > 0:
        env.action_space.seed(None if seed is None else int(rng.integers(2**31)))
    if hasattr(policy, "reset"):
        policy.reset()
    record = {"observations": [], "outputs": [], "labels": [], "actions": [], "expert_acted": []}
    total, terminated, steps = 0.0, False, 0
    while max_steps is None or steps < max_steps:
        record["observations"].append(np.asarray(observation, np.float32))
        label = None if expert is None else np.asarray(expert(env), np.float32).reshape(-1)
        output = None if policy is None else policy(observation)
        expert_acts = expert_share > 0 and (expert_share >= 1.0 or rng.random() < expert_share)
        chosen = action(label if expert_acts else output)
        if explore > 0 and rng.random() < explore:
            chosen = env.action_space.sample()
        observation, reward, terminated, truncated, _ = env.step(chosen)
        for key, value in (
            ("outputs", output),
            ("labels", label),
            ("actions", chosen),
            ("expert_acted", expert_acts),
        ):
            if value is not None:
                record[key].append(value)
        total += float(reward)
        steps += 1
        if terminated or truncated:
            break
    return Episode(
        seed=seed,
        total_reward=total,
        observations=np.stack(record["observations"]),
        outputs=np.asarray(record["outputs"], np.float32).reshape(steps, -1),
        labels=None if expert is None else np.stack(record["labels"]),
        actions=np.asarray(record["actions"]),
        expert_acted=np.asarray(record["expert_acted"], bool),
        terminated=bool(terminated),
        step_seconds=np.asarray(getattr(policy, "step_seconds", []), np.float64),
    )


@dataclass(frozen=True, eq=False)
class Evaluation:
    """A policy's closed-loop episodes and their summary.

    Attributes:
        name: The policy's label.
        episodes: The `Episode`s, one per seed.

    Example:

    ```python
    result = evaluate_policy(policy, make_cartpole(), cartpole_action, seeds=range(20))
    print(result.summary())    # controller_int8.tflite (tflite_micro): 500.0 ± 0.0 over 20 ...
    ```
    """

    name: str
    episodes: tuple[Episode, ...]

    @property
    def returns(self) -> np.ndarray:
        return np.array([episode.total_reward for episode in self.episodes])

    @property
    def mean_return(self) -> float:
        return float(np.mean(self.returns))

    @property
    def std_return(self) -> float:
        return float(np.std(self.returns))

    @property
    def step_microseconds(self) -> float:
        """The median wall time of a policy step over all episodes, in µs (NaN without one)."""
        seconds = np.concatenate([episode.step_seconds for episode in self.episodes])
        return float(1e6 * np.median(seconds)) if len(seconds) else float("nan")

    def summary(self) -> str:
        line = (
            f"{self.name}: {self.mean_return:.1f} ± {self.std_return:.1f} over "
            f"{len(self.episodes)} episodes"
        )
        timed = not np.isnan(self.step_microseconds)
        return line + (f", {self.step_microseconds:.1f} µs per step" if timed else "")

    def to_dict(self) -> dict:
        """The JSON-ready numbers: returns, their mean and std, the step time."""
        return {
            "name": self.name,
            "returns": self.returns.tolist(),
            "mean_return": self.mean_return,
            "std_return": self.std_return,
            "step_microseconds": self.step_microseconds,
        }


def evaluate_policy(
    policy,
    env,
    action: ActionMap,
    seeds: Sequence[int] = tuple(range(20)),
    max_steps: int | None = None,
    name: str | None = None,
) -> Evaluation:
    """Runs `policy` closed loop on one episode per seed (see `run_episode`).

    Args:
        policy: A `StreamingPolicy`, or any callable `observation -> output`.
        env: A Gymnasium-style environment.
        action: Maps the policy's output to the environment's action.
        seeds: The reset seeds, one episode each.
        max_steps: Optional limit on each episode's steps.
        name: A label (default: the policy's `name`, else "policy").

    Returns:
        An `Evaluation`.
    """
    seeds = [int(seed) for seed in seeds]
    if not seeds:
        raise ValueError("Expected at least one seed. Received: seeds=[]")
    episodes = tuple(
        run_episode(policy, env, action, seed=seed, max_steps=max_steps) for seed in seeds
    )
    return Evaluation(name or getattr(policy, "name", "policy"), episodes)
