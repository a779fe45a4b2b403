"""The cell, the coefficient API and the callback agree across Keras backends.

A TensorFlow subprocess saves the models and a fixed batch and computes the
reference; JAX and PyTorch subprocesses load the same `.keras` files, predict,
take one SGD step, record coefficients during a one-epoch `fit`, and save the
trained models, which TensorFlow loads back (`backend_checks.py`).
"""

import json

import numpy as np
import pytest

from tests.backends import models, subprocesses

pytestmark = pytest.mark.backends

BACKENDS = ("jax", "torch")
ATOL = 1e-5  # float32, different kernels and summation orders


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    directory = tmp_path_factory.mktemp("backends")
    subprocesses.run("backend_checks", "reference", directory, timeout=300)
    others = [backend for backend in BACKENDS if subprocesses.installed(backend)]
    subprocesses.run_together(
        [
            (
                subprocesses.command("backend_checks", "check", directory),
                subprocesses.environment(backend),
            )
            for backend in others
        ],
        timeout=300,
    )
    if others:
        subprocesses.run("backend_checks", "cross", directory, *others, timeout=300)
    return directory


def results(directory, backend):
    subprocesses.require(backend)
    return models.load(directory / "results_tensorflow.npz"), models.load(
        directory / f"results_{backend}.npz"
    )


def assert_close(actual, expected, keys):
    assert keys, "nothing to compare"
    for key in keys:
        np.testing.assert_allclose(actual[key], expected[key], rtol=0, atol=ATOL, err_msg=key)


@pytest.mark.parametrize("backend", BACKENDS)
def test_forward_outputs_match_tensorflow(runs, backend):
    reference, got = results(runs, backend)
    assert_close(got, reference, [f"{name}/predict" for name in models.cells()])
    assert reference["dense/predict"].shape == (models.SAMPLES, 1)


@pytest.mark.parametrize("backend", BACKENDS)
def test_one_training_step_matches_tensorflow(runs, backend):
    reference, got = results(runs, backend)
    keys = [key for key in reference if "/trained" in key or key.endswith("/loss")]
    assert len([key for key in keys if key.startswith("sparse/trained/")]) > 10
    assert_close(got, reference, keys)
    for name in models.cells():  # the step did move the weights
        moved = np.max(np.abs(got[f"{name}/trained_predict"] - got[f"{name}/predict"]))
        assert moved > 100 * ATOL, name


@pytest.mark.parametrize("backend", BACKENDS)
def test_keras_files_saved_under_backend_load_in_tensorflow(runs, backend):
    _, got = results(runs, backend)
    loaded = models.load(runs / "cross.npz")
    for name in models.cells():
        np.testing.assert_allclose(
            loaded[f"{backend}/{name}"], got[f"{name}/trained_predict"], rtol=0, atol=ATOL
        )


@pytest.mark.parametrize("backend", BACKENDS)
def test_coefficients_and_recorder_match_tensorflow(runs, backend):
    reference, got = results(runs, backend)
    # before training and after one epoch, on 4 probe sequences of 8 neurons
    assert got["dense/recorded_tau"].shape == (2, 4, models.STEPS, 8)
    assert_close(got, reference, ["dense/tau", "dense/recorded_tau", "dense/synapses"])
    np.testing.assert_allclose(got["dense/recorded_tau"][0], got["dense/tau"], rtol=1e-6)


@pytest.mark.parametrize("backend", BACKENDS)
def test_tensorflow_only_features_raise_clear_errors(runs, backend):
    subprocesses.require(backend)
    errors = json.loads((runs / f"errors_{backend}.json").read_text())
    assert set(errors) == {"export_tflite", "export_saved_model", "recorder_log_dir", "cli_train"}
    for message in errors.values():
        assert message is not None
        assert "needs the TensorFlow backend" in message
        assert f"Received: backend={backend!r}" in message
        assert "KERAS_BACKEND=tensorflow" in message
