"""The models committed under saved_models/ load and reproduce the metrics in the manifest."""

import json
from pathlib import Path

import pytest

from keras_biosyn.cli import train
from keras_biosyn.datasets import load_japanese_vowels

SAVED_MODELS = Path(__file__).resolve().parents[1] / "saved_models"
MANIFEST = json.loads((SAVED_MODELS / "manifest.json").read_text())
EVALUATE = {
    "keras": train.keras_accuracy,
    "saved_model": train.saved_model_accuracy,
    "tflite_streaming": train.tflite_accuracy,
}


def test_manifest_lists_every_form_of_the_main_job_model():
    assert MANIFEST["task"] == "japanese_vowels" and MANIFEST["metric"] == "test_accuracy"
    forms = {(a["format"], a["quantization"]) for a in MANIFEST["artifacts"]}
    assert forms == {
        ("keras", None),
        ("saved_model", None),
        ("tflite_streaming", "float32"),
        ("tflite_streaming", "int8"),
    }


@pytest.mark.parametrize("entry", MANIFEST["artifacts"], ids=lambda a: a["file"])
def test_artifact_matches_its_checksum_and_reproduces_its_metric(entry):
    path = SAVED_MODELS / entry["file"]
    assert train.describe_artifact(path, entry["format"], None, 0.0)["sha256"] == entry["sha256"]
    test = load_japanese_vowels(seed=MANIFEST["seed"])["test"]
    accuracy = EVALUATE[entry["format"]](path, test)
    assert accuracy == pytest.approx(entry["test_accuracy"], abs=1e-9)
    if entry["format"] == "tflite_streaming" and entry["quantization"] == "float32":
        assert entry["size_bytes"] < 64 * 1024


def test_tflite_float32_agrees_with_keras():
    by_form = {(a["format"], a["quantization"]): a for a in MANIFEST["artifacts"]}
    assert by_form[("tflite_streaming", "float32")]["test_accuracy"] == pytest.approx(
        by_form[("keras", None)]["test_accuracy"], abs=1 / 370
    )
