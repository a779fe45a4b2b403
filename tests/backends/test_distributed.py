"""Distributed training gives the single-device result: MirroredStrategy with `fit` over two
logical CPU devices, two MultiWorkerMirroredStrategy worker processes on localhost running
`keras_biosyn.distribute.distributed_train_step`, and two JAX processes running `fit` under
`keras.distribution.DataParallel` (`distributed_checks.py`)."""

import json

import keras
import numpy as np
import pytest

from tests.backends import models, subprocesses

pytestmark = pytest.mark.backends

ATOL = 1e-5  # float32; replicas sum gradients in a different order


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    directory = tmp_path_factory.mktemp("distributed")
    keras.utils.set_random_seed(0)
    initial = models.build(models.cells()["dense"])
    initial.save(directory / "initial.keras")
    models.save(directory / "data.npz", models.data(samples=32))
    ports = subprocesses.free_ports(2)
    cluster = {"worker": [f"localhost:{port}" for port in ports]}
    workers = [
        (
            subprocesses.command("distributed_checks", "worker", directory, index),
            subprocesses.environment(
                TF_CONFIG=json.dumps(
                    {"cluster": cluster, "task": {"type": "worker", "index": index}}
                )
            ),
        )
        for index in range(2)
    ]
    mirrored = subprocesses.command("distributed_checks", "mirrored", directory)
    # All three at once; a hung collective fails the test in minutes, not hours.
    subprocesses.run_together([(mirrored, subprocesses.environment()), *workers], timeout=240)
    return {
        "directory": directory,
        "initial": models.weights(initial, "weights"),
        "mirrored": models.load(directory / "mirrored.npz"),
        "workers": [models.load(directory / f"worker_{i}.npz") for i in range(2)],
    }


def assert_same_training(got, expected, got_prefix="", expected_prefix="", atol=ATOL):
    keys = [key for key in expected if key.startswith(f"{expected_prefix}weights/")]
    assert len(keys) > 10, "nothing to compare"
    for key in keys:
        np.testing.assert_allclose(
            got[got_prefix + key[len(expected_prefix) :]], expected[key], rtol=0, atol=atol
        )
    np.testing.assert_allclose(
        got[f"{got_prefix}losses"], expected[f"{expected_prefix}losses"], rtol=0, atol=atol
    )


def test_training_moved_the_weights(runs):
    single = runs["mirrored"]
    losses = single["single_fit/losses"]
    assert losses.shape == (2,) and losses[1] < losses[0]
    moved = max(
        np.max(np.abs(single[f"single_fit/{key}"] - value))
        for key, value in runs["initial"].items()
    )
    assert moved > 100 * ATOL


def test_mirrored_fit_over_two_devices_matches_one_device(runs):
    results = runs["mirrored"]
    assert results["mirrored_fit/replicas"] == 2 and results["single_fit/replicas"] == 1
    assert_same_training(results, results, "mirrored_fit/", "single_fit/")


@pytest.mark.parametrize("strategy", ["single", "mirrored"])
def test_distributed_train_step_matches_fit(runs, strategy):
    results = runs["mirrored"]
    assert_same_training(results, results, f"{strategy}_step/", "single_fit/")


def test_two_workers_end_identical_and_match_one_process(runs):
    first, second = runs["workers"]
    assert first["replicas"] == second["replicas"] == 2
    assert_same_training(first, second, atol=0.0)
    assert_same_training(first, runs["mirrored"], "", "single_step/")


def test_jax_data_parallel_across_two_processes_matches_one_device(runs):
    subprocesses.require("jax")
    port = subprocesses.free_ports(1)[0]
    directory = runs["directory"]
    subprocesses.run_together(
        [
            (
                subprocesses.command("distributed_checks", "jax_worker", directory, index, port),
                subprocesses.environment("jax"),
            )
            for index in range(2)
        ],
        timeout=240,
    )
    first, second = (models.load(directory / f"jax_worker_{i}.npz") for i in range(2))
    assert first["replicas"] == second["replicas"] == 2
    assert_same_training(first, second, atol=0.0)
    assert_same_training(first, runs["mirrored"], "", "single_fit/")
