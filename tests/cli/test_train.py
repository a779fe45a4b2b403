"""`keras-biosyn train`: the main job end to end, its outputs as one set, and its errors."""

import hashlib
import json

import keras
import numpy as np
import pytest

from keras_biosyn import model_set
from keras_biosyn.datasets import load_japanese_vowels
from tests.cli.cli import assert_user_error, run
from tests.testing import snapshot

STEM = "japanese_vowels_biosyn_ltc"
SET = {
    f"{STEM}.keras",
    f"{STEM}_savedmodel",
    f"{STEM}_streaming_float32.tflite",
    f"{STEM}_streaming_int8.tflite",
    "japanese_vowels_learning_curves.json",
    "japanese_vowels_learning_curves.png",
    "manifest.json",
}
SHORT = ["--epochs", "2", "--neurons", "6", "--wiring", "auto_ncp", "--verbose", "0"]


@pytest.fixture
def previous_set(tmp_path):
    """An output directory holding an earlier run's set, a stale file it named, a user's file."""
    out = tmp_path / "models"
    out.mkdir()
    for name in SET - {"manifest.json", f"{STEM}_savedmodel"}:
        (out / name).write_bytes(b"old " + name.encode())
    (out / f"{STEM}_savedmodel").mkdir()
    (out / f"{STEM}_savedmodel" / "saved_model.pb").write_bytes(b"old graph")
    (out / "old_format.tflite").write_bytes(b"an artifact the job no longer makes")
    (out / "notes.txt").write_text("the user's own file")
    manifest = {"artifacts": [{"file": f"{STEM}.keras"}, {"file": "old_format.tflite"}]}
    (out / "manifest.json").write_text(json.dumps(manifest))
    return out


# ~28 s, a training run: slow checks. CI also runs `keras-biosyn train` on the base install
# and checks every promised file and checksum (.ci/check_base_install).
@pytest.mark.slow
def test_train_writes_the_whole_set_and_replaces_the_previous_one(previous_set, capsys):
    code, out, err = run(capsys, "train", *SHORT, "--output-dir", previous_set)
    assert code == 0, err
    assert "biosyn_ltc" in out and "lstm" in out and "accuracy" in out
    assert {p.name for p in previous_set.iterdir()} == SET | {"notes.txt"}
    assert (previous_set / "notes.txt").read_text() == "the user's own file"
    assert sorted(p.name for p in previous_set.parent.iterdir()) == ["models"]

    manifest = json.loads((previous_set / "manifest.json").read_text())
    assert set(manifest["results"]) == {"biosyn_ltc", "lstm"}
    assert manifest["format"] == "keras_biosyn.model_set/1"
    listed = [f for a in manifest["files"] for f in a["files"]]
    listed += manifest["learning_curves"]
    on_disk = sorted(
        p.relative_to(previous_set).as_posix()
        for p in previous_set.rglob("*")
        if p.is_file() and p.name not in ("manifest.json", "notes.txt")
    )
    assert sorted(f["file"] for f in listed) == on_disk  # every file, one by one
    for entry in listed:
        data = (previous_set / entry["file"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["size_bytes"] == len(data)

    model = keras.models.load_model(previous_set / f"{STEM}.keras")
    test = load_japanese_vowels()["test"]
    _, accuracy = model.evaluate(test.x, test.y, verbose=0)
    np.testing.assert_allclose(
        accuracy, manifest["results"]["biosyn_ltc"]["test_accuracy"], atol=1e-6
    )
    curves = json.loads((previous_set / "japanese_vowels_learning_curves.json").read_text())
    assert set(curves) == {"biosyn_ltc", "lstm"}
    for logs in curves.values():
        assert set(logs) == {"loss", "accuracy", "val_loss", "val_accuracy"}
        assert all(len(values) == 2 and np.isfinite(values).all() for values in logs.values())
    png = (previous_set / "japanese_vowels_learning_curves.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


# ~20 s, a second training run: slow checks. The default suite checks the same atomic write
# in `keras-biosyn export` (tests/cli/test_export.py).
@pytest.mark.slow
def test_a_failure_at_the_last_step_leaves_the_previous_set_untouched(
    previous_set, capsys, monkeypatch
):
    before = snapshot(previous_set)
    write = model_set.write_file_atomically

    def failing_manifest(path, data):
        if path.name == "manifest.json":
            raise OSError("disk full")
        return write(path, data)

    monkeypatch.setattr(model_set, "write_file_atomically", failing_manifest)
    code, _, err = run(capsys, "train", *SHORT, "--no-baseline", "--output-dir", previous_set)
    assert code == 1
    assert err.strip().splitlines() == [
        "keras-biosyn train: error: OSError: disk full (run again with --debug for the traceback)"
    ]
    assert snapshot(previous_set) == before
    assert sorted(p.name for p in previous_set.parent.iterdir()) == ["models"]


def test_train_refuses_what_cannot_work_before_training(tmp_path, capsys):
    assert_user_error(
        run(capsys, "train", "--neurons", "1", "--wiring", "auto_ncp", "--output-dir", tmp_path),
        "train",
        "--neurons",
        "auto_ncp",
    )
    (tmp_path / "file").write_text("")
    assert_user_error(
        run(capsys, "train", "--output-dir", tmp_path / "file"),
        "train",
        "--output-dir",
        "not a directory",
    )
    assert list(tmp_path.iterdir()) == [tmp_path / "file"]
