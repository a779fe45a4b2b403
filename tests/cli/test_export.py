"""`keras-biosyn export`: files, parity and accuracy reports, all-or-nothing, and its errors."""

import hashlib
import json

import keras
import numpy as np
import pytest

from keras_biosyn import BioSynLTCCell, export, wirings
from tests.cli.cli import SAVED, assert_user_error, run
from tests.testing import snapshot

STEM = "japanese_vowels_biosyn_ltc"


def test_export_writes_every_file_and_reports_parity_and_accuracy(tmp_path, capsys):
    code, out, err = run(capsys, "export", SAVED, "--out", tmp_path, "--quantize", "float32,int8")
    assert code == 0, err
    assert (tmp_path / f"{STEM}_savedmodel" / "saved_model.pb").is_file()
    for quantization in ("float32", "int8"):
        tflite = tmp_path / f"{STEM}_streaming_{quantization}.tflite"
        assert tflite.read_bytes()[4:8] == b"TFL3"
    assert "LOGISTIC" in out and "max error" in out
    assert "calibrating int8 on closed-loop steps of 64 sequences" in out
    report = json.loads((tmp_path / f"{STEM}_export.json").read_text())
    by_name = {entry["file"]: entry for entry in report["files"]}
    float32 = by_name[f"{STEM}_streaming_float32.tflite"]
    assert float32["parity"]["max_abs_error"] <= 1e-5
    assert float32["test_accuracy"] == pytest.approx(report["keras_test_accuracy"], abs=1 / 370)
    assert f"test accuracy {float32['test_accuracy']:.4f}" in out
    int8 = by_name[f"{STEM}_streaming_int8.tflite"]
    assert report["calibration"].startswith("the first 64 Japanese Vowels training")
    assert report["format"] == "keras_biosyn.model_set/1"
    assert 0.2 < int8["test_accuracy"] <= 1.0
    for entry in [*float32["files"], *int8["files"], *by_name[f"{STEM}_savedmodel"]["files"]]:
        data = (tmp_path / entry["file"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []

    result = run(capsys, "export", SAVED, "--out", tmp_path, "--quantize", "float32")
    assert_user_error(result, "export", "already holds", "--overwrite")


@pytest.mark.slow  # ~19 s: the agreement check itself is in tests/export/test_device_step.py
def test_int8_far_from_float_is_refused_unless_forced(tmp_path, capsys, monkeypatch):
    """Above the tolerance nothing is written and the error names the fixes; --force writes
    it and says so; the manifest records the agreement and every file's device profile."""
    monkeypatch.setitem(export.INT8_TOLERANCE, "changed_predictions", -1.0)
    result = run(capsys, "export", SAVED, "--out", tmp_path, "--quantize", "int8")
    assert_user_error(result, "export", "int8 changes", "--calibration", "--force")
    assert list(tmp_path.iterdir()) == []
    code, out, err = run(
        capsys, "export", SAVED, "--out", tmp_path, "--quantize", "float32,int8", "--force"
    )
    assert code == 0, err
    assert "OUTSIDE it, written anyway" in out and "TFLite Micro arena" in out
    report = json.loads((tmp_path / f"{STEM}_export.json").read_text())
    by_name = {entry["file"]: entry for entry in report["files"]}
    int8 = by_name[f"{STEM}_streaming_int8.tflite"]
    assert int8["int8_agreement"]["classifier"] is True
    assert int8["int8_agreement"]["within_tolerance"] is False
    for name in (f"{STEM}_streaming_int8.tflite", f"{STEM}_streaming_float32.tflite"):
        profile = by_name[name]["device_profile"]
        assert profile["size_bytes"] == (tmp_path / name).stat().st_size
        assert profile["arena_bytes"] > 1000 and profile["litert_microseconds"] > 0
    assert "EXP" in int8["device_profile"]["float_ops"]
    assert "LOGISTIC" in int8["device_profile"]["quantized_ops"]
    assert by_name[f"{STEM}_streaming_float32.tflite"]["device_profile"]["quantized_ops"] == {}


@pytest.fixture(scope="module")
def small_model(tmp_path_factory):
    """A model that does not take the embedded dataset (10 steps x 3 features)."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((10, 3)), keras.layers.RNN(BioSynLTCCell(5)), keras.layers.Dense(2)]
    )
    directory = tmp_path_factory.mktemp("small")
    model.save(directory / "small.keras")
    x = np.random.default_rng(0).normal(size=(8, 10, 3)).astype("float32")
    np.save(directory / "x.npy", x)
    return directory


@pytest.mark.slow  # ~15 s: calibration as given is checked in tests/export/test_tflite_export.py
def test_own_data_calibrates_int8_and_sequence_mode_works(small_model, tmp_path, capsys):
    argv = ["export", small_model / "small.keras", "--out", tmp_path]
    assert_user_error(run(capsys, *argv), "export", "--calibration FILE.npy", "--quantize")
    code, out, err = run(capsys, *argv, "--calibration", small_model / "x.npy")
    assert code == 0, err
    assert "of 8 sequences from --calibration" in out
    argv = ["export", small_model / "small.keras", "--out", tmp_path / "sequence"]
    code, out, err = run(capsys, *argv, "--mode", "sequence", "--inputs", small_model / "x.npy")
    assert code == 0, err
    assert (tmp_path / "sequence" / "small_sequence_float32.tflite").is_file()
    assert "vs Keras over 4 sequences" in out


@pytest.mark.slow  # ~15-20 s: the choice itself is checked in tests/export/test_layout_choice.py
def test_the_export_layout_is_chosen_and_reported(tmp_path, capsys):
    keras.utils.set_random_seed(0)
    cell = BioSynLTCCell(wirings.AutoNCP(12, 2, seed=0))  # sparse: two layouts exist
    model = keras.Sequential([keras.Input((10, 3)), keras.layers.RNN(cell), keras.layers.Dense(2)])
    model.save(tmp_path / "ncp.keras")
    reports = {}
    for layout, flag in [
        ("dense", "--export-layout"),
        ("model", "--synapse-layout"),  # the flag's name until 0.2
        ("fastest", "--export-layout"),
    ]:
        argv = ["export", tmp_path / "ncp.keras", "--out", tmp_path / layout]
        code, out, err = run(capsys, *argv, flag, layout, "--quantize", "float32")
        assert code == 0, err
        report = json.loads((tmp_path / layout / "ncp_export.json").read_text())
        (entry,) = [e for e in report["files"] if e["format"] == "tflite_streaming"]
        reports[layout] = entry
    assert reports["dense"]["export_layout"] == "dense"
    assert reports["model"]["export_layout"] == "model"
    assert "UNSORTED_SEGMENT_SUM" in reports["model"]["ops"]
    assert "UNSORTED_SEGMENT_SUM" not in reports["dense"]["ops"]
    fastest = reports["fastest"]
    timings = fastest["litert_microseconds"]
    assert sorted(timings) == ["dense", "model"]
    assert fastest["export_layout"] == min(timings, key=timings.get)
    chosen = reports[fastest["export_layout"]]
    assert fastest["files"][0]["sha256"] == chosen["files"][0]["sha256"]
    assert f"export layout {fastest['export_layout']} (dense " in out


def test_a_failure_at_the_last_step_leaves_the_previous_files(tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    assert run(capsys, "export", SAVED, "--out", out, "--quantize", "float32")[0] == 0
    before = snapshot(out)
    export_tflite = export.export_tflite

    def failing_int8(model, path, **kwargs):
        if kwargs.get("quantization") == "int8":
            raise RuntimeError("converter crashed")
        return export_tflite(model, path, **kwargs)

    monkeypatch.setattr(export, "export_tflite", failing_int8)
    argv = ["export", SAVED, "--out", out, "--quantize", "float16,int8", "--overwrite"]
    code, _, err = run(capsys, *argv)
    assert code == 1 and "RuntimeError: converter crashed" in err
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize(
    "argv, fragments",
    [
        (["SAVED", "--mode", "sequence", "--quantize", "int8"], ["int8 is streaming-only"]),
        (["SAVED", "--mode", "both", "--quantize", "float32,int8"], ["--mode both"]),
        (["SAVED", "--quantize", "int4"], ["--quantize", "unknown int4"]),
        (["SAVED", "--quantize", "int8,int8"], ["--quantize", "repeated"]),
        (
            ["{bidirectional}"],
            ["--mode streaming: the model cannot be exported", "--mode sequence"],
        ),
        (["{saved_model}"], ["is a SavedModel directory"]),
        (["{tflite}"], ["is a TFLite file"]),
        (
            ["SAVED", "--inputs", "{wrong_shape}"],
            ["Expected `--inputs` of shape (N, 29, 12)"],
        ),
        (["SAVED", "--calibration", "{nan}"], ["Expected finite `--calibration`"]),
    ],
)
def test_export_errors_are_one_line(argv, fragments, wrong_files, tmp_path, capsys):
    argv = [str(SAVED) if a == "SAVED" else a.format(**wrong_files) for a in argv]
    assert_user_error(
        run(capsys, "export", *argv, "--out", tmp_path / "out"), "export", *fragments
    )
    assert not (tmp_path / "out").exists()
