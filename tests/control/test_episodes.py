import numpy as np
import pytest

from keras_biosyn.control import Evaluation, evaluate_policy, run_episode
from tests.control.toys import Constant, Walk, sign


def test_episode_records_what_the_policy_saw_until_termination():
    policy = Constant(1.0)
    episode = run_episode(policy, Walk(), sign, seed=0)
    # positions 0, 1, 2, 3 seen; the 4th push ends it at 4 > 3
    np.testing.assert_array_equal(episode.observations[:, 0], [0, 1, 2, 3])
    assert episode.total_reward == 4.0 and episode.steps == 4 and episode.terminated
    assert policy.calls == 4 and policy.resets == 1
    np.testing.assert_array_equal(episode.actions, [1, 1, 1, 1])
    assert episode.labels is None and not episode.expert_acted.any()
    assert episode.step_seconds.shape == (4,)


def test_truncation_and_max_steps_end_an_episode_without_failure():
    assert not run_episode(Constant(1.0), Walk(limit=100), sign).terminated
    assert run_episode(Constant(1.0), Walk(limit=100), sign).steps == 10
    assert run_episode(Constant(1.0), Walk(limit=100), sign, max_steps=3).steps == 3


def test_the_expert_labels_every_step_and_drives_at_share_one():
    expert_calls = []

    def expert(env):  # push back towards 0: reads the full state
        expert_calls.append(env.position)
        return np.array([-1.0 if env.position > 0 else 1.0])

    policy = Constant(1.0)
    episode = run_episode(policy, Walk(), sign, expert=expert, expert_share=1.0)
    assert episode.steps == 10 and not episode.terminated  # the expert never falls off
    assert episode.expert_acted.all() and policy.calls == 10  # the student still stepped
    np.testing.assert_array_equal(episode.labels[:, 0], [sign(lab) for lab in episode.labels])
    np.testing.assert_array_equal(episode.actions, [sign(lab) for lab in episode.labels])
    np.testing.assert_array_equal(episode.outputs, 1.0)
    assert len(expert_calls) == 10


def test_mixed_share_lets_both_act_reproducibly():
    def expert(env):
        return np.array([-1.0])

    def run(seed):
        return run_episode(
            Constant(1.0),
            Walk(limit=100, limit_steps=400),
            sign,
            seed=seed,
            expert=expert,
            expert_share=0.3,
        )

    first, again = run(1), run(1)
    np.testing.assert_array_equal(first.expert_acted, again.expert_acted)
    assert 0.2 < first.expert_acted.mean() < 0.4
    np.testing.assert_array_equal(first.actions, np.where(first.expert_acted, -1, 1))


def test_explore_sends_random_actions():
    episode = run_episode(
        Constant(1.0), Walk(limit=100, limit_steps=400), sign, seed=2, explore=0.5
    )
    # half the turns are random, half of those -1
    assert 0.1 < (episode.actions == -1).mean() < 0.4


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"expert_share": 1.5}, "expert_share in \\[0, 1\\]"),
        ({"explore": -0.1}, "explore in \\[0, 1\\]"),
        ({"expert_share": 0.5}, "needs an expert"),
        ({"max_steps": 0}, "max_steps"),
    ],
)
def test_bad_arguments_say_what_was_expected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        run_episode(Constant(1.0), Walk(), sign, **kwargs)


def test_no_policy_needs_the_expert_to_drive():
    with pytest.raises(ValueError, match="expert must drive"):
        run_episode(None, Walk(), sign, expert=lambda env: np.ones(1), expert_share=0.5)


def test_evaluation_summarises_returns_and_step_time():
    result = evaluate_policy(Constant(1.0), Walk(), sign, seeds=[0, 1, 2])
    assert isinstance(result, Evaluation) and len(result.episodes) == 3
    np.testing.assert_array_equal(result.returns, [4.0, 4.0, 4.0])
    assert result.mean_return == 4.0 and result.std_return == 0.0
    assert result.step_microseconds == pytest.approx(1.0)
    assert result.to_dict()["returns"] == [4.0, 4.0, 4.0]
    assert "4.0 ± 0.0 over 3 episodes" in result.summary()
    with pytest.raises(ValueError, match="at least one seed"):
        evaluate_policy(Constant(1.0), Walk(), sign, seeds=[])


def test_a_plain_function_is_a_policy():
    result = evaluate_policy(lambda observation: -observation, Walk(limit=3), sign, seeds=[0, 1])
    # -position pushes back towards 0: the walk survives to its time limit
    np.testing.assert_array_equal(result.returns, [10.0, 10.0])
    assert result.name == "policy" and np.isnan(result.step_microseconds)
    assert "µs" not in result.summary()
