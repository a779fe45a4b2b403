import keras
import numpy as np
import pytest

from keras_biosyn import BioSynLTCCell
from keras_biosyn.control import (
    Episode,
    StreamingPolicy,
    dagger,
    episode_windows,
    evaluate_policy,
)
from tests.control.toys import Walk, back_to_zero, sign


def labelled(steps, seed=0):
    observations = np.arange(steps, dtype=np.float32)[:, None] + 100 * seed
    return Episode(
        seed,
        float(steps),
        observations,
        np.zeros((steps, 1)),
        -observations,
        np.zeros(steps),
        np.zeros(steps, bool),
        False,
        np.zeros(steps),
    )


@pytest.mark.parametrize("steps, window, stride", [(10, 4, 2), (10, 4, 3), (3, 4, 2), (8, 8, 4)])
def test_windows_cover_every_step_with_labels_aligned(steps, window, stride):
    episodes = [labelled(steps, seed) for seed in range(2)]
    x, y, weight = episode_windows(episodes, window, stride)
    assert x.shape[1:] == (window, 1) and y.shape == x.shape and weight.shape == x.shape[:2]
    np.testing.assert_array_equal(y, -x)  # each label stays beside its observation
    np.testing.assert_array_equal(x[weight == 0], 0.0)  # padding is zero with weight 0
    seen = set(x[weight == 1].ravel().tolist())
    assert seen == {float(t + 100 * s) for t in range(steps) for s in range(2)}
    starts = x[:, 0, 0] % 100
    assert starts.min() == 0  # every episode's first window starts with it
    assert (weight.sum(axis=1) == min(window, steps)).all()


def test_windows_need_labels():
    episode = labelled(5)
    unlabelled = Episode(
        0,
        5.0,
        episode.observations,
        episode.outputs,
        None,
        episode.actions,
        episode.expert_acted,
        False,
        episode.step_seconds,
    )
    with pytest.raises(ValueError, match="no expert labels"):
        episode_windows([unlabelled], 4)


def student(compiled=True):
    model = keras.Sequential(
        [
            keras.Input((None, 1)),
            keras.layers.RNN(BioSynLTCCell(4, output_size=1), return_sequences=True),
            keras.layers.Dense(1),
        ]
    )
    if compiled:
        model.compile(keras.optimizers.Adam(0.05), "mse", jit_compile=False)
    return model


def test_dagger_gathers_labelled_rounds_and_learns_the_expert():
    model = student()
    history = dagger(
        model,
        Walk(limit=3, limit_steps=12),
        back_to_zero,
        sign,
        rounds=3,
        episodes=2,
        epochs=30,
        window=6,
        verbose=0,
    )
    shares = [entry["expert_share"] for entry in history.rounds]
    assert shares == [1.0, 0.5, 0.25]
    steps = [entry["dataset_steps"] for entry in history.rounds]
    assert steps[0] == 24 and steps[0] < steps[1] < steps[2]  # the expert never falls off
    assert len(history.episodes) == 6
    for episode in history.episodes:  # every step labelled with what the expert would do
        np.testing.assert_array_equal(
            episode.labels[:, 0], np.where(episode.observations[:, 0] > 0, -1.0, 1.0)
        )
    assert history.rounds[0]["mean_return"] == 12.0
    # the student learned to push back: it balances like the expert (12 steps)
    result = evaluate_policy(
        StreamingPolicy.from_keras(model), Walk(limit=3, limit_steps=12), sign, seeds=[0]
    )
    assert result.mean_return == 12.0


def test_dagger_needs_a_compiled_student():
    with pytest.raises(ValueError, match="compile it first"):
        dagger(student(compiled=False), Walk(), back_to_zero, sign)
    with pytest.raises(ValueError, match="rounds"):
        dagger(student(), Walk(), back_to_zero, sign, rounds=0)
