"""TFLite / LiteRT export: builtin ops only, parity with Keras, quantization, TFLite Micro."""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from keras_biosyn import BioSynLTCCell, CTRNNCell
from keras_biosyn.export import (
    LiteRTModel,
    calibration_samples,
    compare,
    export_saved_model,
    export_tflite,
    run_tflite_micro,
    tflite_ops,
)
from tests.testing import make_wiring

STEPS, FEATURES = 120, 4
WIRINGS = {
    "fully_connected": lambda: 12,
    "auto_ncp": lambda: make_wiring("auto_ncp", units=14, output_size=3, seed=2),  # sparse
}


def classifier(wiring, steps=None, cell=BioSynLTCCell, **cell_options):
    keras.utils.set_random_seed(3)
    return keras.Sequential(
        [
            keras.Input((steps, FEATURES)),
            keras.layers.RNN(cell(WIRINGS[wiring](), **cell_options), name="ltc"),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )


@pytest.fixture(scope="module")
def sequences():
    rng = np.random.default_rng(7)
    return rng.normal(size=(3, STEPS, FEATURES)).astype("float32")


def assert_builtin_only(path):
    ops = tflite_ops(path)
    assert ops and not any(op.startswith("Flex") or op == "CUSTOM" for op in ops), ops
    return ops


@pytest.mark.parametrize("layout", ["dense", "model"])
@pytest.mark.parametrize("wiring", sorted(WIRINGS))
def test_float32_streaming_matches_keras_over_120_fed_back_steps(
    tmp_path, sequences, wiring, layout
):
    model = classifier(wiring)
    path = export_tflite(model, tmp_path / "step.tflite", export_layout=layout)
    ops = assert_builtin_only(path)
    if wiring == "auto_ncp":
        assert ("UNSORTED_SEGMENT_SUM" in ops) == (layout == "model")
    report = compare(model, path, sequences)
    assert report["steps"] == 3 * STEPS
    assert report["max_abs_error"] <= 1e-5 and report["final_max_abs_error"] <= 1e-5, report
    assert os.path.getsize(path) < 64 * 1024


@pytest.mark.parametrize("solver", ["semi_implicit", "exponential"])
def test_each_bounded_solver_exports_with_builtin_ops(tmp_path, sequences, solver):
    model = classifier("fully_connected", solver=solver, ode_unfolds=1)
    path = export_tflite(model, tmp_path / "step.tflite")
    ops = assert_builtin_only(path)
    assert ("EXP" in ops) == (solver == "exponential")
    report = compare(model, path, sequences)
    assert report["max_abs_error"] <= 1e-5 and report["final_max_abs_error"] <= 1e-5, report


@pytest.mark.parametrize("wiring", sorted(WIRINGS))
def test_ctrnn_streaming_exports_and_matches_keras(tmp_path, sequences, wiring):
    model = classifier(wiring, cell=CTRNNCell)
    path = export_tflite(model, tmp_path / "step.tflite")
    assert "TANH" in assert_builtin_only(path)
    report = compare(model, path, sequences)
    assert report["steps"] == 3 * STEPS
    assert report["max_abs_error"] <= 1e-5 and report["final_max_abs_error"] <= 1e-5, report
    np.testing.assert_allclose(
        run_tflite_micro(path, sequences[0]),
        LiteRTModel(path).run_sequence(sequences[0]),
        atol=2e-6,
    )


def test_float32_sequence_mode_matches_keras(tmp_path, sequences):
    model = classifier("auto_ncp", steps=STEPS)
    path = export_tflite(model, tmp_path / "sequence.tflite", mode="sequence")
    assert "WHILE" in assert_builtin_only(path)
    assert LiteRTModel(path).input_shapes["sequence"] == (1, STEPS, FEATURES)
    report = compare(model, path, sequences)
    assert report["max_abs_error"] <= 1e-5, report
    with pytest.raises(ValueError, match="fixed sequence length"):
        export_tflite(classifier("auto_ncp"), tmp_path / "other.tflite", mode="sequence")


def test_float16_weights_stay_within_1e_3(tmp_path, sequences):
    model = classifier("fully_connected")
    path = export_tflite(model, tmp_path / "f16.tflite", quantization="float16")
    assert_builtin_only(path)
    report = compare(model, path, sequences)
    assert report["max_abs_error"] <= 1e-3, report


@pytest.fixture(scope="module")
def int8_model(tmp_path_factory):
    """A classifier trained briefly on a synthetic task, and its int8 streaming export."""
    rng = np.random.default_rng(8)
    x = rng.normal(size=(512, 40, FEATURES)).astype("float32")
    y = (x[:, -10:, 0].mean(1) > 0).astype(int) + (x[:, -10:, 1].mean(1) > 0).astype(int)
    model = classifier("fully_connected")
    model.compile(keras.optimizers.Adam(0.02), "sparse_categorical_crossentropy", jit_compile=True)
    model.fit(x, y, epochs=5, batch_size=64, verbose=0)
    path = tmp_path_factory.mktemp("int8") / "int8.tflite"
    export_tflite(
        model,
        path,
        quantization="int8",
        representative_data=calibration_samples(model, x[:16], max_samples=300),
    )
    return model, path


def test_int8_is_builtin_and_its_error_is_bounded(int8_model, sequences):
    model, path = int8_model
    ops = assert_builtin_only(path)
    assert "QUANTIZE" in ops and "DEQUANTIZE" in ops
    report = compare(model, path, sequences)
    # measured about 0.25 of the output spread on this model (the closing note has the numbers)
    assert report["mean_abs_error"] <= 0.35 * report["output_std"], report
    short = sequences[:, :40]
    predicted = np.stack([LiteRTModel(path).run_sequence(s)[-1] for s in short])
    expected = model.predict(short, verbose=0)
    assert np.mean(predicted.argmax(-1) == expected.argmax(-1)) >= 2 / 3
    assert os.path.getsize(path) < 64 * 1024


def test_int8_calibrates_on_training_sequences_as_given(int8_model, tmp_path, sequences):
    """`(N, T, F)` sequences give the same file as the closed-loop samples made from them."""
    model, _ = int8_model
    from_sequences = export_tflite(
        model, tmp_path / "a.tflite", quantization="int8", representative_data=sequences[:, :30]
    )
    prepared = calibration_samples(model, sequences[:, :30])
    from_samples = export_tflite(
        model, tmp_path / "b.tflite", quantization="int8", representative_data=prepared
    )
    assert from_sequences.path.read_bytes() == from_samples.path.read_bytes()
    with pytest.raises(
        ValueError, match=r"representative_data. of shape \(N, T, 4\).*\(3, 30, 2\)"
    ):
        export_tflite(
            model,
            tmp_path / "c.tflite",
            quantization="int8",
            representative_data=sequences[:, :30, :2],
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.tflite", "b.tflite"]


def test_tflite_micro_runs_float32_like_litert(tmp_path, sequences):
    path = export_tflite(classifier("auto_ncp"), tmp_path / "step.tflite")
    np.testing.assert_allclose(
        run_tflite_micro(path, sequences[0]),
        LiteRTModel(path).run_sequence(sequences[0]),
        atol=2e-6,
    )


@pytest.mark.slow
def test_tflite_micro_runs_int8_with_an_error_like_litert(int8_model, sequences):
    """TFLite Micro's int8 kernels round differently from LiteRT's (MUL and SUM differ by one
    quantization step), and the fed-back state carries those steps on, so the runtimes agree
    in error size rather than bit for bit."""
    model, path = int8_model
    micro = run_tflite_micro(path, sequences[0])
    litert = LiteRTModel(path).run_sequence(sequences[0])
    float_outputs = np.stack(
        [model.predict(sequences[:1, : t + 1], verbose=0)[0] for t in range(0, STEPS, 10)]
    )
    micro_error = np.abs(micro[::10] - float_outputs).mean()
    litert_error = np.abs(litert[::10] - float_outputs).mean()
    assert np.isfinite(micro).all()
    assert micro_error <= 2 * litert_error + 0.02, (micro_error, litert_error)


def test_int8_exponential_step_runs_where_the_denominator_rounds_to_zero(tmp_path, sequences):
    """A neuron with almost no conductance has a denominator below int8's resolution: the
    exponential step's division must stay finite (int8 DIV refuses a zero divisor at run
    time), and TFLite Micro, which has no int8 EXP kernel, must run the file too."""
    model = classifier("fully_connected")
    cell = model.get_layer("ltc").cell
    assert cell.solver == "exponential"
    cell.gleak.assign(np.full(cell.gleak.shape, 1e-6, np.float32))
    cell.w.assign(np.zeros(cell.w.shape, np.float32))
    sensory_w = np.zeros(cell.sensory_w.shape, np.float32)
    sensory_w[:, 0] = 5.0  # one neuron driven hard: the others' denominators round to zero
    cell.sensory_w.assign(sensory_w)
    path = export_tflite(
        model, tmp_path / "q.tflite", quantization="int8", representative_data=sequences[:, :30]
    )
    ops = tflite_ops(path)
    assert {"EXP", "DIV", "QUANTIZE", "DEQUANTIZE"} <= set(ops), ops
    litert = LiteRTModel(path).run_sequence(sequences[0, :30])
    micro = run_tflite_micro(path, sequences[0, :30])
    assert np.isfinite(litert).all() and np.isfinite(micro).all()
    expected = model.predict(sequences[:1, :30], verbose=0)[0]
    assert np.abs(litert[-1] - expected).max() < 0.1, (litert[-1], expected)


def test_files_are_never_half_written_or_overwritten(tmp_path, monkeypatch):
    model = classifier("fully_connected")
    path = tmp_path / "step.tflite"
    export_tflite(model, path)
    before = path.read_bytes()
    with pytest.raises(FileExistsError, match="overwrite=True"):
        export_tflite(model, path)
    with pytest.raises(ValueError, match=r"ending in '\.tflite'"):
        export_tflite(model, tmp_path / "step.bin")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        export_tflite(model, tmp_path / "missing" / "step.tflite")
    with pytest.raises(ValueError, match="representative_data"):
        export_tflite(model, tmp_path / "q.tflite", quantization="int8")
    with pytest.raises(ValueError, match="streaming' only"):
        export_tflite(model, tmp_path / "q.tflite", mode="sequence", quantization="int8")
    with pytest.raises(ValueError, match=r"quantization.*'int4'"):
        export_tflite(model, tmp_path / "q.tflite", quantization="int4")
    import keras_biosyn.export.conversion as conversion_module

    def failing_convert(*args, **kwargs):
        raise ValueError("conversion failed")

    monkeypatch.setattr(conversion_module, "convert", failing_convert)
    with pytest.raises(ValueError, match="conversion failed"):
        export_tflite(model, path, overwrite=True)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["step.tflite"]


def test_saved_model_loads_without_keras_biosyn(tmp_path, sequences):
    model = classifier("auto_ncp")
    path = export_saved_model(model, tmp_path / "savedmodel")
    np.save(tmp_path / "x.npy", sequences)
    np.save(tmp_path / "expected.npy", model.predict(sequences, verbose=0))
    script = (
        "import sys, numpy as np, tensorflow as tf\n"
        f"loaded = tf.saved_model.load({str(path)!r})\n"
        f"x = np.load({str(tmp_path / 'x.npy')!r})\n"
        f"expected = np.load({str(tmp_path / 'expected.npy')!r})\n"
        "got = loaded.serve(x).numpy()\n"
        "assert 'keras_biosyn' not in sys.modules, 'keras_biosyn was imported'\n"
        "print(float(np.abs(got - expected).max()))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert float(result.stdout.strip().splitlines()[-1]) <= 1e-5
    with pytest.raises(FileExistsError):
        export_saved_model(model, path)
    export_saved_model(model, path, overwrite=True)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_export_tflite_says_what_it_wrote(tmp_path):
    model = classifier("fully_connected")
    written = export_tflite(model, tmp_path / "step.tflite")
    assert written.path == tmp_path / "step.tflite" and os.fspath(written) == str(written)
    assert (written.mode, written.quantization, written.export_layout) == (
        "streaming",
        "float32",
        "dense",
    )
    assert written.size_bytes == written.path.stat().st_size
    assert list(written.ops) == tflite_ops(written.path) and written.litert_microseconds == {}
    assert written.to_dict()["file"] == "step.tflite"
    # usable wherever a path is: opened, hashed (IPython's open checks `file in {0, 1, 2}`)
    assert written not in {0, 1, 2}
    with open(written, "rb") as file:
        assert file.read() == written.path.read_bytes()
    # None, the older spelling of float32, writes the same file
    again = export_tflite(model, tmp_path / "none.tflite", quantization=None)
    assert again.quantization == "float32"
    assert again.path.read_bytes() == written.path.read_bytes()


def test_the_older_name_of_export_layout_still_works_and_warns(tmp_path):
    model = classifier("fully_connected")
    with pytest.warns(DeprecationWarning, match="export_layout"):
        written = export_tflite(model, tmp_path / "step.tflite", synapse_layout="model")
    assert written.export_layout == "model"


def test_compare_reads_the_last_step_of_a_model_that_returns_sequences(tmp_path, rng):
    keras.utils.set_random_seed(1)
    model = keras.Sequential(
        [
            keras.Input((12, 3)),
            keras.layers.RNN(BioSynLTCCell(6), return_sequences=True),
            keras.layers.Dense(2),
        ]
    )
    path = export_tflite(model, tmp_path / "step.tflite")
    x = rng.normal(size=(3, 12, 3)).astype("float32")
    report = compare(model, path, x, lengths=np.array([12, 7, 3]))
    assert report["final_max_abs_error"] <= 1e-5 and report["max_abs_error"] <= 1e-5, report
