import keras
import numpy as np
import pytest

from keras_biosyn import BioSynLTCCell, wirings
from keras_biosyn.control import RUNTIMES, StreamingPolicy
from keras_biosyn.export import export_tflite, keras_step_function, step_through, streaming_model


def controller(rnn=None):
    rnn = rnn or keras.layers.RNN(
        BioSynLTCCell(wirings.AutoNCP(8, 1, seed=0)), return_sequences=True
    )
    return keras.Sequential([keras.Input((None, 2)), rnn, keras.layers.Dense(1)])


def calls(policy, observations):
    policy.reset()
    return np.stack([policy(observation) for observation in observations])


@pytest.fixture
def observations(rng):
    return rng.normal(size=(25, 2)).astype("float32")


def test_keras_policy_keeps_its_state_between_calls(observations):
    model = controller()
    expected = step_through(
        keras_step_function(streaming_model(model, batch_size=None)), observations[None], [8]
    )[0]
    policy = StreamingPolicy.from_keras(model)
    outputs = calls(policy, observations)
    np.testing.assert_allclose(outputs, expected, atol=1e-5)
    np.testing.assert_allclose(outputs, model.predict(observations[None], verbose=0)[0], atol=2e-5)
    assert len(policy.step_seconds) == len(observations)
    # reset starts over: the same first output again, and the timings restart
    policy.reset()
    assert policy.step_seconds == []
    np.testing.assert_allclose(policy(observations[0]), outputs[0], atol=1e-6)


def test_keras_policy_follows_further_training(observations):
    model = controller()
    policy = StreamingPolicy.from_keras(model)
    before = calls(policy, observations[:5])
    head = model.layers[-1]
    head.set_weights([w + 1.0 for w in head.get_weights()])
    np.testing.assert_allclose(
        calls(policy, observations[:5]), model(observations[None, :5])[0], atol=2e-5
    )
    assert not np.allclose(before, calls(policy, observations[:5]))


def test_lstm_policy_carries_both_states(observations):
    model = controller(keras.layers.LSTM(6, return_sequences=True))
    policy = StreamingPolicy.from_keras(model)
    assert policy.state_sizes == [6, 6]
    np.testing.assert_allclose(
        calls(policy, observations), model.predict(observations[None], verbose=0)[0], atol=2e-5
    )


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_exported_policy_runs_like_keras(tmp_path, observations, runtime):
    if runtime == "tflite_micro":
        pytest.importorskip("tflite_micro")
    model = controller()
    path = export_tflite(model, tmp_path / "controller.tflite")
    policy = StreamingPolicy.from_file(path, runtime=runtime)
    assert policy.name == f"controller.tflite ({runtime})"
    expected = calls(StreamingPolicy.from_keras(model), observations)
    np.testing.assert_allclose(calls(policy, observations), expected, atol=1e-5)


def test_int8_policy_tracks_float_within_int8_rounding(tmp_path, rng, observations):
    model = controller()
    calibration = rng.normal(size=(8, 25, 2)).astype("float32")
    path = export_tflite(
        model,
        tmp_path / "controller_int8.tflite",
        quantization="int8",
        representative_data=calibration,
    )
    expected = calls(StreamingPolicy.from_keras(model), observations)
    got = calls(StreamingPolicy.from_file(path), observations)
    scale = np.ptp(expected)
    assert np.max(np.abs(got - expected)) < 0.1 * scale


def test_bad_runtime_and_sequence_files_are_refused(tmp_path):
    with pytest.raises(ValueError, match="runtime"):
        StreamingPolicy.from_file(tmp_path / "x.tflite", runtime="coral")
    fixed = keras.Sequential(
        [keras.Input((6, 2)), keras.layers.RNN(BioSynLTCCell(4)), keras.layers.Dense(1)]
    )
    path = export_tflite(fixed, tmp_path / "sequence.tflite", mode="sequence")
    with pytest.raises(ValueError, match="Expected a streaming model"):
        StreamingPolicy.from_file(path)
