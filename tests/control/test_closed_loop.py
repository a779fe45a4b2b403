"""A trained controller closes the loop from its int8 file, in LiteRT and in TFLite Micro."""

from pathlib import Path

import keras
import pytest

from keras_biosyn.control import (
    CARTPOLE_DAGGER,
    CartPoleLQR,
    StreamingPolicy,
    cartpole_action,
    episode_windows,
    evaluate_policy,
    make_cartpole,
    run_episode,
)
from keras_biosyn.export import device_profile, export_tflite

pytest.importorskip("gymnasium")

# made by tests/data/make_cartpole_controller.py (the benchmark's recipe and training seed 1)
FIXTURE = Path(__file__).parents[1] / "data" / "cartpole_ncp_controller.keras"
SEEDS = range(10_000, 10_005)  # evaluation episodes, never trained on


def test_the_controller_balances_from_its_files(tmp_path):
    pytest.importorskip("tflite_micro")
    model = keras.models.load_model(FIXTURE)
    env = make_cartpole()
    expert = CartPoleLQR(env)
    gathered = [
        run_episode(
            None,
            env,
            cartpole_action,
            seed=seed,
            expert=expert,
            expert_share=1.0,
            explore=CARTPOLE_DAGGER["explore"],
        )
        for seed in range(4)
    ]
    calibration = episode_windows(gathered, CARTPOLE_DAGGER["window"])[0]
    path = export_tflite(
        model,
        tmp_path / "controller_int8.tflite",
        quantization="int8",
        representative_data=calibration,
    )
    float32 = export_tflite(model, tmp_path / "controller.tflite")
    reference = evaluate_policy(StreamingPolicy.from_keras(model), env, cartpole_action, SEEDS)
    assert reference.mean_return >= 450  # the fixture balances (the expert: 500)
    for file, runtime in [(path, "litert"), (path, "tflite_micro"), (float32, "tflite_micro")]:
        result = evaluate_policy(
            StreamingPolicy.from_file(file, runtime=runtime), env, cartpole_action, SEEDS
        )
        assert result.mean_return >= 0.95 * reference.mean_return, result.summary()
        assert result.mean_return >= 0.9 * 500, result.summary()
    assert device_profile(path).arena_bytes is not None  # TFLite Micro runs every op
