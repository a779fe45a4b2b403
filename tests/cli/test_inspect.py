from pathlib import Path

import numpy as np
import pytest

from keras_biosyn.cli.main import main

SAVED = Path(__file__).resolve().parents[2] / "saved_models" / "japanese_vowels_biosyn_ltc.keras"


def test_inspect_the_main_job_model(tmp_path, capsys):
    assert main(["inspect", str(SAVED), "--samples", "3", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Parameter report: biosyn_ltc" in out and "LSTM(16)" in out
    with np.load(tmp_path / "biosyn_ltc_coefficients.npz") as data:
        assert data["tau"].shape == (3, 29, 16)
    for name in ("time_constants", "conductance", "wiring"):
        png = tmp_path / f"biosyn_ltc_{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_inspect_with_own_inputs_and_errors(tmp_path, capsys):
    inputs = tmp_path / "x.npy"
    np.save(inputs, np.random.default_rng(0).normal(size=(2, 29, 12)).astype("float32"))
    code = main(
        ["inspect", str(SAVED), "--inputs", str(inputs), "--out", str(tmp_path), "--no-plots"]
    )
    assert code == 0
    with np.load(tmp_path / "biosyn_ltc_coefficients.npz") as data:
        assert data["A"].shape == (2, 29, 16)
    with pytest.raises(SystemExit, match="No model file"):
        main(["inspect", str(tmp_path / "missing.keras")])
    with pytest.raises(ValueError, match="layer='nope'"):
        main(["inspect", str(SAVED), "--layer", "nope", "--out", str(tmp_path)])
