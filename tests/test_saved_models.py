"""The models committed under saved_models/ load and reproduce their recorded metric."""

import json
from pathlib import Path

import keras
import numpy as np
import pytest

import keras_biosyn  # noqa: F401  (registers the serializable classes)
from keras_biosyn.datasets import load_japanese_vowels

SAVED_MODELS = Path(__file__).resolve().parents[1] / "saved_models"
RECORDS = sorted(SAVED_MODELS.glob("*.json"))


def test_the_main_job_model_is_committed():
    assert any(record.stem == "japanese_vowels_biosyn_ltc" for record in RECORDS)


@pytest.mark.parametrize("record_path", RECORDS, ids=lambda p: p.stem)
def test_saved_model_reproduces_its_recorded_metric(record_path):
    record = json.loads(record_path.read_text())
    assert record["task"] == "japanese_vowels" and record["metric"] == "test_accuracy"
    model = keras.models.load_model(SAVED_MODELS / record["model_file"])
    test = load_japanese_vowels(seed=record["seed"])["test"]
    _, accuracy = model.evaluate(test.x, test.y, verbose=0)
    expected = record["results"]["biosyn_ltc"]["test_accuracy"]
    np.testing.assert_allclose(accuracy, expected, atol=1e-6)
