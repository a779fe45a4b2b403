import keras
import numpy as np
import pytest

from keras_biosyn import BioSynLTCCell, CoefficientRecorder, sequence_coefficients, wirings
from keras_biosyn.interpretability import load_recording

STEPS, FEATURES = 8, 3


def model_and_data(rng, layers=1, samples=32):
    inputs = keras.Input((STEPS, FEATURES))
    hidden = keras.layers.RNN(
        BioSynLTCCell(wirings.AutoNCP(8, 2, seed=1)), return_sequences=layers > 1, name="first"
    )(inputs)
    if layers > 1:
        hidden = keras.layers.RNN(BioSynLTCCell(4, output_size=2), name="second")(hidden)
    model = keras.Model(inputs, keras.layers.Dense(1)(hidden))
    model.compile(keras.optimizers.Adam(0.05), "mse")
    x = rng.normal(size=(samples, STEPS, FEATURES)).astype("float32")
    y = x[:, -1, :1]
    return model, x, y


def test_records_every_epoch_and_matches_sequence_coefficients(rng):
    model, x, y = model_and_data(rng)
    recorder = CoefficientRecorder(x[:4], coefficients=["tau", "conductance"])
    model.fit(x, y, epochs=3, batch_size=8, verbose=0, callbacks=[recorder])
    history = recorder.history
    assert history["epoch"] == [0, 1, 2, 3] and history["batch"] == [-1] * 4
    assert set(history) == {"epoch", "batch", "first/tau", "first/conductance"}
    assert history["first/tau"][0].shape == (4, STEPS, 8)
    final = sequence_coefficients(model, x[:4], coefficients=["tau"])
    np.testing.assert_allclose(history["first/tau"][-1], final["tau"], rtol=1e-6)
    # training moved the coefficients
    assert not np.allclose(history["first/tau"][0], history["first/tau"][-1])


def test_every_n_batches_and_bounded_history(rng):
    model, x, y = model_and_data(rng)
    recorder = CoefficientRecorder(x[:2], every_n_batches=2, max_records=3, coefficients="A")
    model.fit(x, y, epochs=2, batch_size=8, verbose=0, callbacks=[recorder])  # 4 batches/epoch
    # 1 initial record + 2 per epoch; only the last 3 are kept in memory
    assert recorder.history["epoch"] == [0, 1, 1]
    assert recorder.history["batch"] == [4, 2, 4]
    assert len(recorder.history["first/A"]) == 3


@pytest.mark.slow
def test_several_layers_are_recorded(rng):
    model, x, y = model_and_data(rng, layers=2)
    recorder = CoefficientRecorder(x[:2], coefficients=["tau"])
    model.fit(x, y, epochs=1, verbose=0, callbacks=[recorder])
    assert {"first/tau", "second/tau"} <= set(recorder.history)
    assert recorder.history["second/tau"][-1].shape == (2, STEPS, 4)
    only = CoefficientRecorder(x[:2], layer="second", coefficients=["tau"])
    model.fit(x, y, epochs=1, verbose=0, callbacks=[only])
    assert "first/tau" not in only.history


def test_record_is_a_public_step(rng):
    model, x, _ = model_and_data(rng, samples=4)
    recorder = CoefficientRecorder(x[:2], coefficients=["tau"], record_initial=False)
    recorder.set_model(model)
    recorder.on_train_begin()
    assert recorder.history == {"epoch": [], "batch": [], "first/tau": []}
    record = recorder.record(epoch=3, batch=-1)
    assert recorder.history["epoch"] == [3] and recorder.history["batch"] == [-1]
    np.testing.assert_array_equal(recorder.history["first/tau"][0], record["first/tau"])
    expected = sequence_coefficients(model, x[:2], coefficients="tau")["tau"]
    np.testing.assert_allclose(record["first/tau"], expected, rtol=1e-6)
    assert not hasattr(recorder, "record_seconds")  # timing is the benchmark's business


class _Interrupt(keras.callbacks.Callback):
    def __init__(self, at_epoch):
        super().__init__()
        self.at_epoch = at_epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.at_epoch:
            raise RuntimeError("interrupted")


def test_streamed_records_survive_interruption_and_resume(rng, tmp_path):
    model, x, y = model_and_data(rng)
    save_path = tmp_path / "records"
    backup = keras.callbacks.BackupAndRestore(str(tmp_path / "backup"))
    first = CoefficientRecorder(x[:2], save_path=save_path, coefficients=["tau", "b"])
    with pytest.raises(RuntimeError, match="interrupted"):
        model.fit(x, y, epochs=4, verbose=0, callbacks=[first, backup, _Interrupt(1)])
    partial = load_recording(save_path)
    np.testing.assert_array_equal(partial["epoch"], [0, 1, 2])
    second = CoefficientRecorder(x[:2], save_path=save_path, coefficients=["tau", "b"])
    model.fit(x, y, epochs=4, verbose=0, callbacks=[second, backup])
    recording = load_recording(save_path)
    np.testing.assert_array_equal(recording["epoch"], [0, 1, 2, 3, 4])
    assert recording["first/tau"].shape == (5, 2, STEPS, 8)
    np.testing.assert_allclose(recording["first/tau"][-1], second.history["first/tau"][-1])
    assert sorted(p.name for p in save_path.iterdir()) == [
        f"record_{i:06d}.npz" for i in range(5)
    ]  # no temporary files left behind


def test_tensorboard_summaries_are_written(rng, tmp_path):
    model, x, y = model_and_data(rng)
    recorder = CoefficientRecorder(x[:2], log_dir=tmp_path / "logs")
    model.fit(x, y, epochs=1, verbose=0, callbacks=[recorder])
    events = list((tmp_path / "logs").glob("events.out.tfevents.*"))
    assert events and events[0].stat().st_size > 1000


def test_bad_arguments_fail_before_training(rng):
    model, x, y = model_and_data(rng)
    weights = [w.copy() for w in model.get_weights()]
    for recorder, match in [
        (CoefficientRecorder(x[:2, :, :2]), r"\(batch, time, 3\)"),
        (CoefficientRecorder(x[:2], layer="missing"), r"layer='missing'"),
    ]:
        with pytest.raises(ValueError, match=match):
            model.fit(x, y, epochs=1, verbose=0, callbacks=[recorder])
    for before, after in zip(weights, model.get_weights(), strict=True):
        np.testing.assert_array_equal(before, after)  # no training step ran
    gru = keras.Sequential([keras.Input((STEPS, FEATURES)), keras.layers.GRU(2)])
    gru.compile("adam", "mse")
    with pytest.raises(ValueError, match="at least one"):
        gru.fit(x, x[:, -1, :2], epochs=1, verbose=0, callbacks=[CoefficientRecorder(x[:2])])
    with pytest.raises(ValueError, match=r"every_n_epochs.*Received: every_n_epochs=0"):
        CoefficientRecorder(x[:2], every_n_epochs=0)
    with pytest.raises(ValueError, match=r"probe_inputs of shape \(8, 3\)"):
        CoefficientRecorder(x[0])
