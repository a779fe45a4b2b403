from pathlib import Path

import pytest

from keras_biosyn.cli.main import main

SAVED = Path(__file__).resolve().parents[2] / "saved_models" / "japanese_vowels_biosyn_ltc.keras"


def test_export_writes_savedmodel_and_tflite_and_reports_parity(tmp_path, capsys):
    code = main(["export", str(SAVED), "--out", str(tmp_path), "--quantize", "float32"])
    assert code == 0
    out = capsys.readouterr().out
    stem = "japanese_vowels_biosyn_ltc"
    assert (tmp_path / f"{stem}_savedmodel" / "saved_model.pb").is_file()
    tflite = tmp_path / f"{stem}_streaming_float32.tflite"
    assert tflite.read_bytes()[4:8] == b"TFL3"
    assert "LOGISTIC" in out and "max error" in out
    error = float(out.split("max error ")[1].split(",")[0])
    assert error <= 1e-5
    with pytest.raises(FileExistsError):
        main(["export", str(SAVED), "--out", str(tmp_path), "--quantize", "float32"])


def test_export_rejects_unknown_quantization(tmp_path):
    with pytest.raises(SystemExit, match="--quantize takes"):
        main(["export", str(SAVED), "--out", str(tmp_path), "--quantize", "int4"])
