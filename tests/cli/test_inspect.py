"""`keras-biosyn inspect`: the report and figures of a saved model, and its errors."""

import re

import numpy as np
import pytest

from tests.cli.cli import SAVED, assert_user_error, run


def test_inspect_the_main_job_model(tmp_path, capsys):
    code, out, err = run(capsys, "inspect", SAVED, "--samples", "3", "--out", tmp_path)
    assert code == 0, err
    assert "Parameter report: biosyn_ltc" in out and "LSTM(16)" in out
    # the description, over the whole embedded test split
    assert "# Circuit of `biosyn_ltc`" in out and "statistics over 370 sequences" in out
    for i in range(16):
        assert f"\n| n{i} | output | " in out
    for k in range(12):  # the dense input mapping: projections, each made of input features
        assert re.search(rf"\n\| p{k} \| x[0-9]+ \(", out)
    with np.load(tmp_path / "biosyn_ltc_coefficients.npz") as data:
        assert data["tau"].shape == (3, 29, 16)
    for name in ("time_constants", "conductance", "wiring", "circuit"):
        png = tmp_path / f"biosyn_ltc_{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_inspect_with_own_inputs(tmp_path, capsys):
    inputs = tmp_path / "x.npy"
    np.save(inputs, np.random.default_rng(0).normal(size=(2, 29, 12)).astype("float32"))
    out = tmp_path / "out"
    code, stdout, err = run(
        capsys, "inspect", SAVED, "--inputs", inputs, "--out", out, "--no-plots", "--top", "1"
    )
    assert code == 0, err
    assert "statistics over 2 sequences, 58 steps" in stdout
    rows = [line for line in stdout.splitlines() if re.match(r"\| n\d+ \|", line)]
    assert len(rows) == 16 and all(line.count("(") <= 2 for line in rows)  # one input each
    with np.load(out / "biosyn_ltc_coefficients.npz") as data:
        assert data["A"].shape == (2, 29, 16)
    assert sorted(p.name for p in out.iterdir()) == ["biosyn_ltc_coefficients.npz"]


@pytest.mark.parametrize(
    "argv, fragments",
    [
        (["{missing}"], ["MODEL: no such file"]),
        (["{saved_model}"], ["is a SavedModel directory", "`.keras` file"]),
        (["{tflite}"], ["is a TFLite file"]),
        (["{not_a_model}"], ["is not a Keras model file"]),
        (["{directory}"], ["is a directory"]),
        (["{lstm}"], ["MODEL: Expected a model with at least one", "BioSynLTCCell"]),
        (["SAVED", "--layer", "nope"], ["--layer:", "Received: layer='nope'"]),
        (
            ["SAVED", "--inputs", "{wrong_shape}"],
            ["Expected `--inputs` of shape (N, 29, 12)", "(2, 29, 5)"],
        ),
        (["SAVED", "--inputs", "{nan}"], ["Expected finite `--inputs`"]),
        (["SAVED", "--inputs", "{text}"], ["--inputs:", "is not a .npy array file"]),
        (["SAVED", "--inputs", "{missing}"], ["--inputs: no such file"]),
        (["{lstm}", "--layer", "x"], ["--layer:"]),
        (["SAVED", "--samples", "0"], ["--samples", ">= 1"]),
        (["SAVED", "--top", "0"], ["--top", ">= 1"]),
    ],
)
def test_inspect_errors_are_one_line(argv, fragments, wrong_files, tmp_path, capsys):
    argv = [str(SAVED) if a == "SAVED" else a.format(**wrong_files) for a in argv]
    result = run(capsys, "inspect", *argv, "--out", tmp_path / "out")
    assert_user_error(result, "inspect", *fragments)
    assert not (tmp_path / "out").exists()
