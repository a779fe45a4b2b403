"""`keras-biosyn prune`: the pruned model, its exports and report, all-or-nothing, and errors."""

import json

import keras
import numpy as np
import pytest

from keras_biosyn import BioSynLTCCell, pruning, wirings
from keras_biosyn_cli import prune as prune_command
from tests.cli.cli import SAVED, assert_user_error, run
from tests.testing import snapshot

STEM = "japanese_vowels_biosyn_ltc"


def test_prune_writes_the_model_its_exports_and_a_report(tmp_path, capsys):
    code, out, err = run(capsys, "prune", SAVED, "--keep", "0.3", "--out", tmp_path)
    assert code == 0, err
    report = json.loads((tmp_path / f"{STEM}_prune.json").read_text())
    assert report["synapses_before"] == 448 and report["synapses_after"] == round(0.3 * 448)
    assert report["parameters_after"] < report["parameters_before"]
    assert report["synapse_layout"] == "sparse"
    assert report["scored_on"] == "the Japanese Vowels test split"
    assert report["measured_on"] == "the Japanese Vowels training split"
    # the library's scores are on the data it measured, the command's on the test split
    for prefix in ("", "test_"):
        before, after = report[f"{prefix}score_before"], report[f"{prefix}score_after"]
        assert before["name"] == "accuracy" and 0.0 < after["value"] <= 1.0
    assert report["test_score_before"] != report["score_before"]
    model_set = json.loads((tmp_path / report["model_set"]).read_text())
    assert model_set["format"] == "keras_biosyn.model_set/1"
    formats = [entry["format"] for entry in model_set["files"]]
    assert formats == ["keras", "saved_model", "tflite_streaming"]
    (tflite,) = [e for e in report["exports"] if e["file"].endswith(".tflite")]
    assert tflite["parity"]["max_abs_error"] <= 1e-5
    markdown = (tmp_path / f"{STEM}_prune.md").read_text()
    assert "| synapses (recurrent + sensory) | 448 | 134 |" in markdown
    assert markdown in out
    pruned = keras.models.load_model(tmp_path / f"{STEM}_pruned.keras")
    cell = pruned.get_layer(report["layer"]).cell
    assert np.count_nonzero(cell.adjacency.numpy()) == report["recurrent_synapses"][1]
    assert (tmp_path / f"{STEM}_pruned_savedmodel" / "saved_model.pb").is_file()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []

    result = run(capsys, "prune", SAVED, "--keep", "0.3", "--out", tmp_path)
    assert_user_error(result, "prune", "already holds", "--overwrite")


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A compiled model of 6 steps x 3 features, its data, and an LSTM model."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((6, 3)), keras.layers.RNN(BioSynLTCCell(4)), keras.layers.Dense(2)]
    )
    model.compile(
        "adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["acc"]
    )
    directory = tmp_path_factory.mktemp("small")
    model.save(directory / "small.keras")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 6, 3)).astype("float32")
    np.savez(directory / "data.npz", x=x, y=(x[:, 0, 0] > 0).astype("int32"))
    np.savez(directory / "wrong.npz", x=x[..., :2], y=np.zeros(8))
    lstm = keras.Sequential([keras.Input((6, 3)), keras.layers.LSTM(2)])
    lstm.save(directory / "lstm.keras")
    return directory


@pytest.mark.slow  # ~12 s: fine-tuning between rounds is checked in tests/pruning/test_prune.py
def test_own_data_and_fine_tuning(small, tmp_path, capsys):
    argv = ["prune", small / "small.keras", "--out", tmp_path, "--data", small / "data.npz"]
    code, out, err = run(capsys, *argv, "--keep", "0.5", "--fine-tune-epochs", "1")
    assert code == 0, err
    report = json.loads((tmp_path / "small_prune.json").read_text())
    assert report["synapses_after"] == 14 and report["fine_tune_epochs"] == 1
    assert len(report["rounds"]) == 3 and report["score_before"]["name"] == "acc"
    assert "1 fine-tuning epochs per round" in out


@pytest.mark.slow  # ~15-20 s: the removal itself is checked in tests/pruning/test_prune.py
def test_neurons_that_reach_no_output_are_removed_unless_kept(tmp_path, capsys):
    keras.utils.set_random_seed(0)
    cell = BioSynLTCCell(wirings.AutoNCP(10, 2, seed=0))
    model = keras.Sequential([keras.Input((6, 3)), keras.layers.RNN(cell), keras.layers.Dense(2)])
    model.save(tmp_path / "ncp.keras")
    np.savez(
        tmp_path / "data.npz", x=np.random.default_rng(0).normal(size=(8, 6, 3)), y=np.zeros(8)
    )
    reports = {}
    for flag in (["--synapse-layout", "fastest"], ["--keep-neurons"]):
        out_dir = tmp_path / flag[0].strip("-")
        argv = ["prune", tmp_path / "ncp.keras", "--keep", "0.2", "--out", out_dir]
        code, _, err = run(capsys, *argv, "--data", tmp_path / "data.npz", *flag)
        assert code == 0, err
        reports["--keep-neurons" in flag] = json.loads((out_dir / "ncp_prune.json").read_text())
    removed, kept = reports[False], reports[True]
    assert kept["units"] == [10, 10] and kept["removed_neurons"] == []
    assert removed["removed_neurons"] and removed["units"] == [
        10,
        10 - len(removed["removed_neurons"]),
    ]
    (tflite,) = [e for e in removed["exports"] if e["file"].endswith(".tflite")]
    assert tflite["export_layout"] in ("dense", "model")
    markdown = (tmp_path / "synapse-layout" / "ncp_prune.md").read_text()
    assert f"{tflite['export_layout']} export layout, max error" in markdown
    assert f"| neurons | 10 | {removed['units'][1]} |" in markdown
    assert "Removed (no path to an output neuron" in markdown


def test_user_errors_are_one_line(small, tmp_path, capsys):
    model = small / "small.keras"
    out = ["--out", tmp_path]
    assert_user_error(run(capsys, "prune", model, *out), "prune", "--keep", "--max-drop")
    assert_user_error(run(capsys, "prune", model, "--keep", "0", *out), "prune", "--keep", "> 0")
    assert_user_error(run(capsys, "prune", model, "--keep", "1.5", *out), "prune", "<= 1.0")
    both = run(capsys, "prune", model, "--keep", "0.5", "--max-drop", "0.1", *out)
    assert_user_error(both, "prune", "not allowed with")
    assert_user_error(run(capsys, "prune", model, "--keep", "0.5", *out), "prune", "--data")
    wrong = run(capsys, "prune", model, "--keep", "0.5", "--data", small / "wrong.npz", *out)
    assert_user_error(wrong, "prune", "--data", "(N, 6, 3)", "Received")
    lstm = run(
        capsys, "prune", small / "lstm.keras", "--keep", "0.5", "--data", small / "data.npz", *out
    )
    assert_user_error(lstm, "prune", "BioSynLTCCell", "Received")
    missing = run(capsys, "prune", small / "none.keras", "--keep", "0.5", *out)
    assert_user_error(missing, "prune", "no such file")
    assert snapshot(tmp_path) == {}


def test_listed_importances_are_the_package_ones():
    assert prune_command.IMPORTANCES == pruning.IMPORTANCES
