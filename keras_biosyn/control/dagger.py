"""Behaviour cloning with DAgger: a recurrent student learns an expert on the states it visits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import keras
import numpy as np

from keras_biosyn.control.episodes import ActionMap, Episode, Expert, run_episode
from keras_biosyn.control.policy import StreamingPolicy
from keras_biosyn.utils.validation import check_int


@dataclass
class DAggerHistory:
    """What `dagger` did, one entry per round.

    Attributes:
        rounds: Per round: `expert_share` (the probability that the expert
            acted), `mean_return` of the round's episodes, `dataset_steps`
            (labelled steps gathered so far) and `loss` (the last epoch's).
        episodes: Every labelled episode gathered (the training set).
    """

    rounds: list[dict] = field(default_factory=list)
    episodes: list[Episode] = field(default_factory=list)


def episode_windows(
    episodes: Sequence[Episode], window: int, stride: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cuts labelled episodes into training windows `(x, y, sample_weight)`.

    Each episode gives windows of `window` steps every `stride` steps (default:
    half a window), the first starting at its first step; a short last window
    is zero-padded with weight 0. The student starts each window from a zero
    state, as it starts each episode, so it learns to take hold from any
    moment of an episode.

    Returns:
        `x` `(windows, window, features)`, `y` `(windows, window, outputs)`
        and `sample_weight` `(windows, window)`.
    """
    check_int("window", window, minimum=1)
    stride = stride or max(window // 2, 1)
    xs, ys, weights = [], [], []
    for episode in episodes:
        if episode.labels is None:
            raise ValueError(f"Episode with seed {episode.seed} has no expert labels.")
        last_start = max(episode.steps - window, 0)
        for start in range(0, last_start + stride, stride):
            start = min(start, last_start)
            steps = min(window, episode.steps - start)
            x = np.zeros((window, episode.observations.shape[-1]), np.float32)
            y = np.zeros((window, episode.labels.shape[-1]), np.float32)
            weight = np.zeros(window, np.float32)
            x[:steps] = episode.observations[start : start + steps]
            y[:steps] = episode.labels[start : start + steps]
            weight[:steps] = 1.0
            xs.append(x)
            ys.append(y)
            weights.append(weight)
            if start == last_start:
                break
    return np.stack(xs), np.stack(ys), np.stack(weights)


def dagger(
    model: keras.Model,
    env,
    expert: Expert,
    action: ActionMap,
    rounds: int = 6,
    episodes: int = 10,
    epochs: int = 60,
    first_epochs: int | None = None,
    explore: float = 0.0,
    window: int = 64,
    batch_size: int = 32,
    max_steps: int | None = None,
    seed: int = 0,
    verbose: int = 1,
) -> DAggerHistory:
    """Trains a recurrent policy by behaviour cloning with DAgger relabelling.

    Round 0 gathers `episodes` episodes driven by the expert; each later round
    `k` gathers as many driven by the student, the expert taking over each step
    with probability `0.5 ** k`, and labels every visited step with what the
    expert would do there (Ross et al., AISTATS 2011). After each round the
    student is fitted on all the steps gathered so far, cut into windows
    (`episode_windows`). The student is a compiled sequence model
    `(batch, time, observations) -> (batch, time, outputs)` (its recurrent
    layers with `return_sequences=True`), run in closed loop through
    `StreamingPolicy.from_keras`.

    Args:
        model: The compiled student (its loss compares outputs with labels).
        env: A Gymnasium-style environment (see `run_episode`).
        expert: `expert(env) -> label`, read from the full state.
        action: Maps an output or a label to the environment's action.
        rounds: Rounds of gathering and fitting (round 0 included).
        episodes: Episodes gathered per round.
        epochs: Epochs of fitting after each round.
        first_epochs: Epochs after round 0 (default: `epochs`).
        explore: The probability of a random action at each step while
            gathering (see `run_episode`): states off the driver's path, with
            the expert's labels.
        window, batch_size: Training windows' length and batch size.
        max_steps: Optional limit on each episode's steps.
        seed: Seeds the episodes (round `k`, episode `i`: `seed + 1000 k + i`)
            and the expert's turns.
        verbose: 1 prints a line per round; 0 is silent.

    Returns:
        A `DAggerHistory`.

    Example:

    ```python
    cell = BioSynLTCCell(AutoNCP(16, 1))
    model = keras.Sequential([keras.Input((None, 2)),
                              keras.layers.RNN(cell, return_sequences=True),
                              keras.layers.Dense(1)])
    model.compile("adam", "mse")
    history = dagger(model, make_cartpole(), CartPoleLQR(), cartpole_action)
    ```
    """
    first_epochs = epochs if first_epochs is None else first_epochs
    for name, value in (
        ("rounds", rounds),
        ("episodes", episodes),
        ("epochs", epochs),
        ("first_epochs", first_epochs),
        ("batch_size", batch_size),
    ):
        check_int(name, value, minimum=1)
    if not getattr(model, "compiled", False):
        raise ValueError(
            "dagger fits the student: compile it first (e.g. model.compile('adam', 'mse')). "
            f"Received: an uncompiled model {model.name!r}"
        )
    history = DAggerHistory()
    policy = StreamingPolicy.from_keras(model)
    rng = np.random.default_rng(seed)
    for round_index in range(rounds):
        share = 0.5**round_index
        gathered = [
            run_episode(
                None if round_index == 0 else policy,
                env,
                action,
                seed=seed + 1000 * round_index + i,
                expert=expert,
                expert_share=share,
                explore=explore,
                max_steps=max_steps,
                rng=rng,
            )
            for i in range(episodes)
        ]
        history.episodes.extend(gathered)
        x, y, weights = episode_windows(history.episodes, window)
        fit = model.fit(
            x,
            y,
            sample_weight=weights,
            epochs=first_epochs if round_index == 0 else epochs,
            batch_size=batch_size,
            shuffle=True,
            verbose=0,
        )
        history.rounds.append(
            {
                "expert_share": share,
                "mean_return": float(np.mean([e.total_reward for e in gathered])),
                "dataset_steps": int(sum(e.steps for e in history.episodes)),
                "loss": float(fit.history["loss"][-1]),
            }
        )
        if verbose:
            entry = history.rounds[-1]
            print(
                f"DAgger round {round_index + 1}/{rounds}: expert share {share:.2f}, "
                f"mean return {entry['mean_return']:.1f}, {entry['dataset_steps']} labelled "
                f"steps, loss {entry['loss']:.4g}",
                flush=True,
            )
    return history
