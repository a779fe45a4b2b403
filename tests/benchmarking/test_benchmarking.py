import dataclasses
import json

import numpy as np
import pytest

from keras_biosyn.benchmarking import (
    TASKS,
    Task,
    aggregate,
    claim_summary,
    equal_neurons_table,
    markdown,
    plot,
    speed_table,
    summary_table,
)
from keras_biosyn.benchmarking.runner import naive_result, run_one
from keras_biosyn.benchmarking.runner import run as run_benchmark
from keras_biosyn.datasets import Split
from keras_biosyn_cli import benchmark as benchmark_command
from keras_biosyn_cli.main import main
from tests.cli.cli import assert_user_error, run


def tiny_splits(time_input=False, seed=0):
    rng = np.random.default_rng(seed)

    def split(n):
        x = rng.normal(size=(n, 10, 3)).astype("float32")
        if time_input:
            x[..., -1] = rng.uniform(0.5, 1.5, size=(n, 10))
        y = (x[:, -3:, 0].mean(1) > 0).astype("int32")
        return Split(x, np.full(n, 10, np.int32), y)

    return {"train": split(64), "validation": split(16), "test": split(32)}


TINY = Task("tiny", tiny_splits, "classification", 2, batch_size=16, epochs=2)
TINY_IRREGULAR = Task(
    "tiny_irregular", lambda: tiny_splits(True), "classification", 2, time_input=True, epochs=2
)


@pytest.mark.parametrize(
    "model", ["biosyn_ltc", "ctrnn", "lstm", pytest.param("gru", marks=pytest.mark.slow)]
)
def test_run_one_trains_and_scores(model):
    result = run_one(TINY, tiny_splits(), model, 4, seed=0, epochs=2, patience=5)
    assert result["model"] == model and result["epochs"] == 2
    assert 0.0 <= result["score"] <= 1.0 and result["parameters"] > 0
    assert result["seconds_per_epoch"] > 0


@pytest.mark.parametrize("model", [pytest.param("biosyn_ltc", marks=pytest.mark.slow), "ctrnn"])
def test_cells_read_the_elapsed_time_natively(model):
    result = run_one(TINY_IRREGULAR, tiny_splits(True), model, 4, seed=0, epochs=1, patience=5)
    assert np.isfinite(result["score"])


def fake_results():
    results = []
    for model, sizes in {
        "lstm": {8: 0.90, 16: 0.95},
        "biosyn_ltc": {4: 0.80, 8: 0.94},
        "ctrnn": {8: 0.70},
    }.items():
        for neurons, mean in sizes.items():
            for seed, delta in enumerate((-0.01, 0.01)):
                results.append(
                    {
                        "model": model,
                        "neurons": neurons,
                        "seed": seed,
                        "parameters": neurons * (60 if model == "lstm" else 40),
                        "score": mean + delta,
                        "seconds_per_epoch": 0.1,
                    }
                )
    return results


def test_claim_summary_finds_the_smallest_matching_circuit(tmp_path):
    rows = aggregate(fake_results())
    best = next(r for r in rows if r["model"] == "lstm" and r["neurons"] == 16)
    assert best["mean"] == pytest.approx(0.95) and best["std"] == pytest.approx(0.01)
    summary = claim_summary(TINY, rows)
    assert summary["best_lstm"]["neurons"] == 16
    assert summary["smallest_matching_biosyn"]["neurons"] == 8  # 0.94 >= 0.95 - 0.01
    assert summary["ctrnn_same_neurons"]["mean"] == pytest.approx(0.70)
    assert summary["holds"]  # 320 parameters < 960
    text = markdown(TINY, rows, "keras-biosyn benchmark --task tiny")
    assert "Smallest BioSynLTC that matches it: 8 neurons" in text and "claim holds" in text
    plot(TINY, rows, tmp_path / "tiny.png")
    assert (tmp_path / "tiny.png").read_bytes()[:4] == b"\x89PNG"


def test_claim_that_does_not_hold_is_said_plainly():
    results = [r for r in fake_results() if not (r["model"] == "biosyn_ltc" and r["neurons"] == 8)]
    text = markdown(TINY, aggregate(results), "cmd")
    assert "the claim does not hold on this task" in text


def test_benchmark_command_writes_json_markdown_png_and_resumes(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(TASKS, "tiny", TINY)
    monkeypatch.setattr(benchmark_command, "TASKS", (*benchmark_command.TASKS, "tiny"))
    arguments = [
        "benchmark",
        "--task",
        "tiny",
        "--models",
        "biosyn_ltc,lstm",
        "--neurons",
        "4",
        "--seeds",
        "1",
        "--epochs",
        "1",
        "--out",
        str(tmp_path),
    ]
    assert main(arguments) == 0
    payload = json.loads((tmp_path / "tiny.json").read_text())
    assert {r["model"] for r in payload["runs"]} == {"biosyn_ltc", "lstm"}
    assert "--task tiny" in payload["command"]
    assert (tmp_path / "tiny.md").read_text().startswith("# tiny")
    assert (tmp_path / "tiny.png").exists()
    capsys.readouterr()
    assert main(arguments) == 0  # everything already done: no run is repeated
    assert "[1/2]" not in capsys.readouterr().out

    def failing_load():
        raise ImportError('needs `sktime`: pip install "keras-biosyn[datasets]"')

    monkeypatch.setitem(TASKS, "tiny", dataclasses.replace(TINY, load=failing_load))
    for argv, fragments in [
        (["--models", "transformer"], ["--models", "unknown transformer"]),
        (["--neurons", "2,8"], ["--neurons", ">= 3"]),
        (["--seeds", "0"], ["--seeds"]),
        ([], ["--task tiny:", 'pip install "keras-biosyn[datasets]"']),
    ]:
        assert_user_error(
            run(capsys, "benchmark", "--task", "tiny", "--out", tmp_path / "new", *argv),
            "benchmark",
            *fragments,
        )
    monkeypatch.setattr(benchmark_command, "find_spec", lambda name: None)
    assert_user_error(
        run(capsys, "benchmark", "--task", "tiny", "--models", "lstm,ncps_ltc"),
        "benchmark",
        "--models ncps_ltc needs ncps",
        'pip install "keras-biosyn[bench]"',
    )
    assert not (tmp_path / "new").exists()


def test_forecasting_tasks_report_the_naive_forecast(tmp_path):
    def forecast_splits():
        rng = np.random.default_rng(0)

        def split(n):
            x = rng.normal(size=(n, 6, 2)).astype("float32")
            y = x[:, -1, :1] + 0.1 * rng.normal(size=(n, 1)).astype("float32")
            return Split(x, np.full(n, 6, np.int32), y, naive=x[:, -1, :1])

        return {"train": split(32), "validation": split(16), "test": split(16)}

    task = Task("tiny_forecast", forecast_splits, "regression", 1, batch_size=16, epochs=1)
    splits = forecast_splits()
    naive = naive_result(task, splits)
    expected = float(np.mean(np.square(splits["test"].naive - splits["test"].y)))
    assert naive["model"] == "naive" and naive["score"] == pytest.approx(expected)
    assert naive_result(TINY, tiny_splits()) is None  # classification: no naive forecast
    results = run_benchmark(task, ["lstm"], [4], 1, progress=lambda line: None)
    assert [r["model"] for r in results] == ["naive", "lstm"]
    assert {"best_epoch", "validation_score", "train_loss"} <= set(results[1])
    rows = aggregate(results)
    assert "| naive (last observed target) | — | 0 |" in markdown(task, rows, "cmd")
    assert "naive" not in speed_table({"t": results}, neurons=4)
    plot(task, rows, tmp_path / "forecast.png")
    assert (tmp_path / "forecast.png").read_bytes()[:4] == b"\x89PNG"


def test_cell_options_reach_the_cell_and_are_recorded():
    options = {"solver": "exponential", "ode_unfolds": 1}
    result = run_one(TINY, tiny_splits(), "biosyn_ltc", 4, 0, 1, 5, cell_options=options)
    assert result["cell_options"] == options
    with pytest.raises(ValueError, match="cell_options apply to the cells only"):
        run_one(TINY, tiny_splits(), "lstm", 4, 0, 1, 5, cell_options=options)


def test_extra_callbacks_run_in_training():
    """A learning-rate schedule given as a callback acts on the optimizer of the run."""
    import keras

    from keras_biosyn.benchmarking.runner import train_one

    halve = keras.callbacks.LearningRateScheduler(lambda epoch, rate: rate / 2)
    model, history, _, _ = train_one(
        TINY, tiny_splits(), "lstm", 4, 0, 3, 5, learning_rate=0.01, callbacks=[halve]
    )
    assert len(history.history["loss"]) == 3
    assert float(model.optimizer.learning_rate) == pytest.approx(0.01 / 8)


def test_summary_tables_name_the_matching_circuit_and_the_failures():
    holds = fake_results()
    fails = [r for r in holds if not (r["model"] == "biosyn_ltc" and r["neurons"] == 8)]
    table = summary_table({"tiny": holds, "tiny_fails": fails}, {"tiny": TINY, "tiny_fails": TINY})
    lines = table.splitlines()
    assert len(lines) == 4
    assert (
        "| tiny (accuracy, ↑) | 16 units, 960 params: 0.95 ± 0.01 | 8 neurons, 320 params"
        in (lines[2])
    )
    # CT-RNN with 8 neurons, no ncps run, no naive forecast (classification)
    assert lines[2].endswith("| 8 neurons, 320 params: 0.7 ± 0.01 | — | — | holds |")
    assert "none (best: 4 neurons" in lines[3]
    assert lines[3].endswith("| — | — | — | does not hold |")  # no CT-RNN or ncps with 4 neurons
    speeds = speed_table({"tiny": holds}, neurons=8)
    assert speeds.splitlines()[0] == "| task (8 neurons) | biosyn_ltc | ctrnn | lstm |"
    assert speeds.splitlines()[2] == "| tiny | 0.10 | 0.10 | 0.10 |"


def test_the_0_1_defaults_and_a_wiring_can_be_benchmarked():
    from keras_biosyn.benchmarking.models import build_model

    old = build_model("biosyn_ltc_0.1", 6, TINY, 10, 3).get_layer("biosyn_ltc").cell
    assert (old.solver, old.ode_unfolds) == ("semi_implicit", 6)
    assert old.cm_initializer.get_config()["minval"] == 0.4
    new = build_model("biosyn_ltc", 6, TINY, 10, 3).get_layer("biosyn_ltc").cell
    assert (new.solver, new.ode_unfolds) == ("exponential", 1)
    ncp = build_model("biosyn_ltc", 12, TINY, 10, 3, cell_options={"wiring": "auto_ncp"})
    cell = ncp.get_layer("biosyn_ltc").cell
    assert type(cell.wiring).__name__ == "AutoNCP" and cell.ode_unfolds == 3


def test_equal_neurons_table_compares_with_the_lstm_and_the_naive_forecast():
    results = [
        {"model": m, "neurons": n, "seed": 0, "parameters": 1, "score": s, "seconds_per_epoch": 0}
        for m, n, s in [
            ("biosyn_ltc", 16, 0.030),
            ("lstm", 16, 0.035),
            ("biosyn_ltc", 32, 0.040),
            ("lstm", 32, 0.031),
            ("naive", 0, 0.035),
        ]
    ]
    regression = dataclasses.replace(TINY, kind="regression", outputs=1)
    lines = equal_neurons_table({"f": results}, {"f": regression}).splitlines()
    assert lines[0].startswith(
        "| task (metric) | neurons | biosyn_ltc | biosyn_ltc_0.1 | biosyn_ltc_0.2 | lstm"
    )
    assert lines[2] == "| f (mse, ↓) | 16 | 0.03 | — | — | 0.035 | — | — | 0.035 | yes | yes |"
    assert lines[3] == "| f (mse, ↓) | 32 | 0.04 | — | — | 0.031 | — | — | 0.035 | no | no |"
