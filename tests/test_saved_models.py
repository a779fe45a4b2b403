"""The models committed under saved_models/ load and reproduce the metrics in the manifest."""

import hashlib
import json
from pathlib import Path

import keras
import numpy as np
import pytest

from keras_biosyn.datasets import load_japanese_vowels
from keras_biosyn.model_set import form_accuracy

SAVED_MODELS = Path(__file__).resolve().parents[1] / "saved_models"
MANIFEST = json.loads((SAVED_MODELS / "manifest.json").read_text())


def test_manifest_lists_every_form_of_the_main_job_model():
    assert MANIFEST["task"] == "japanese_vowels" and MANIFEST["metric"] == "test_accuracy"
    forms = {(a["format"], a["quantization"]) for a in MANIFEST["files"]}
    assert forms == {
        ("keras", None),
        ("saved_model", None),
        ("tflite_streaming", "float32"),
        ("tflite_streaming", "int8"),
    }


def test_every_committed_file_matches_its_checksum():
    listed = [f for a in MANIFEST["files"] for f in a["files"]]
    listed += MANIFEST["learning_curves"]
    on_disk = sorted(
        p.relative_to(SAVED_MODELS).as_posix()
        for p in SAVED_MODELS.rglob("*")
        if p.is_file() and p.name != "manifest.json"
    )
    assert sorted(f["file"] for f in listed) == on_disk
    for entry in listed:
        data = (SAVED_MODELS / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["file"]
        assert len(data) == entry["size_bytes"]


@pytest.mark.parametrize("entry", MANIFEST["files"], ids=lambda a: a["file"])
def test_artifact_reproduces_its_metric(entry):
    test = load_japanese_vowels(seed=MANIFEST["seed"])["test"]
    accuracy = form_accuracy(SAVED_MODELS / entry["file"], entry["format"], test)
    assert accuracy == pytest.approx(entry["test_accuracy"], abs=1e-9)
    if entry["format"] == "tflite_streaming" and entry["quantization"] == "float32":
        assert entry["size_bytes"] < 64 * 1024


def test_tflite_float32_agrees_with_keras():
    by_form = {(a["format"], a["quantization"]): a for a in MANIFEST["files"]}
    assert by_form[("tflite_streaming", "float32")]["test_accuracy"] == pytest.approx(
        by_form[("keras", None)]["test_accuracy"], abs=1 / 370
    )


def test_a_model_saved_with_the_earlier_default_keeps_its_solver_and_outputs():
    """Configs name the solver and unfolds explicitly, so a default change never alters them."""
    data = Path(__file__).resolve().parent / "data"
    model = keras.models.load_model(data / "saved_with_0.1_default.keras")
    for name in ("dense_cell", "ncp_cell"):
        cell = model.get_layer(name).cell
        assert (cell.solver, cell.ode_unfolds) == ("semi_implicit", 6)
    with np.load(data / "saved_with_0.1_default.npz") as saved:
        outputs = model.predict(saved["inputs"], verbose=0)
        np.testing.assert_allclose(outputs, saved["outputs"], rtol=0, atol=1e-6)
