import json
import subprocess
import sys

import keras
import numpy as np
import pytest

from keras_biosyn.cli.main import main
from keras_biosyn.datasets import load_japanese_vowels


def test_train_runs_end_to_end_and_saves_a_loadable_model(tmp_path, capsys):
    code = main(
        [
            "train",
            "--epochs",
            "2",
            "--neurons",
            "6",
            "--wiring",
            "auto_ncp",
            "--output-dir",
            str(tmp_path),
            "--verbose",
            "0",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "biosyn_ltc" in out and "lstm" in out and "accuracy" in out
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert set(manifest["results"]) == {"biosyn_ltc", "lstm"}
    files = {a["file"] for a in manifest["artifacts"]}
    assert files == {
        "japanese_vowels_biosyn_ltc.keras",
        "japanese_vowels_biosyn_ltc_savedmodel",
        "japanese_vowels_biosyn_ltc_streaming_float32.tflite",
        "japanese_vowels_biosyn_ltc_streaming_int8.tflite",
    }
    assert all((tmp_path / f).exists() for f in files)
    model = keras.models.load_model(tmp_path / "japanese_vowels_biosyn_ltc.keras")
    test = load_japanese_vowels()["test"]
    _, accuracy = model.evaluate(test.x, test.y, verbose=0)
    np.testing.assert_allclose(
        accuracy, manifest["results"]["biosyn_ltc"]["test_accuracy"], atol=1e-6
    )


def test_bad_arguments_exit_with_a_message(tmp_path):
    with pytest.raises(SystemExit, match="--neurons must be >= 1, got 0"):
        main(["train", "--neurons", "0", "--output-dir", str(tmp_path)])
    with pytest.raises(SystemExit):
        main(["train", "--wiring", "star"])


def test_console_script_answers_help():
    result = subprocess.run(
        [sys.executable, "-m", "keras_biosyn.cli.main", "train", "--help"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "--neurons" in result.stdout and "--wiring" in result.stdout
