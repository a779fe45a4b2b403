"""Runs the cell under one Keras backend and writes what it computed (see test_backends.py).

python -m tests.backends.backend_checks reference DIR  # TensorFlow: models, data, results
python -m tests.backends.backend_checks check DIR      # any backend: results_<backend>.npz
python -m tests.backends.backend_checks cross DIR B..  # TensorFlow: loads B's saved models
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path

import keras
import numpy as np

import keras_biosyn as kb
from keras_biosyn import export
from keras_biosyn_cli.main import main as cli_main
from tests.backends import models


def reference(directory: Path) -> None:
    keras.utils.set_random_seed(0)
    for name, cell in models.cells().items():
        models.build(cell).save(directory / f"{name}.keras")
    models.save(directory / "data.npz", models.data())
    check(directory)


def check(directory: Path) -> None:
    backend = keras.backend.backend()
    batch = models.load(directory / "data.npz")
    x, y = batch["x"], batch["y"]
    results, errors = {}, {}
    for name in models.cells():
        path = directory / f"{name}.keras"
        results[f"{name}/predict"] = keras.models.load_model(path).predict(x, verbose=0)
        model = keras.models.load_model(path)
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        results[f"{name}/loss"] = model.train_on_batch(x, y)
        results.update(models.weights(model, f"{name}/trained"))
        results[f"{name}/trained_predict"] = model.predict(x, verbose=0)
        model.save(directory / f"{name}_{backend}.keras")
    model = keras.models.load_model(directory / "dense.keras")
    results["dense/tau"] = kb.sequence_coefficients(model, x[:4], coefficients=["tau"])["tau"]
    results["dense/synapses"] = kb.parameter_report(model).synapses
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    recorder = kb.CoefficientRecorder(x[:4], coefficients=["tau"])
    model.fit(x, y, batch_size=len(x), epochs=1, shuffle=False, verbose=0, callbacks=[recorder])
    results["dense/recorded_tau"] = np.stack(recorder.history["ltc/tau"])
    attempts = {
        "export_tflite": lambda: export.export_tflite(model, directory / "m.tflite"),
        "export_saved_model": lambda: export.export_saved_model(model, directory / "saved"),
        "recorder_log_dir": lambda: kb.CoefficientRecorder(x[:4], log_dir=directory / "logs"),
        "cli_train": lambda: _cli_error(["train", "--output-dir", str(directory / "cli")]),
    }
    for what, attempt in attempts.items() if backend != "tensorflow" else ():
        try:
            attempt()
        except RuntimeError as error:
            errors[what] = str(error)
        else:
            errors[what] = None
    models.save(directory / f"results_{backend}.npz", results)
    (directory / f"errors_{backend}.json").write_text(json.dumps(errors))


def _cli_error(argv):
    """Runs the CLI in-process; its one-line error (exit 2) comes back as a RuntimeError."""
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        code = cli_main(argv)
    if code == 2:
        raise RuntimeError(stderr.getvalue().strip())
    raise AssertionError(f"expected exit status 2, got {code}: {stderr.getvalue()}")


def cross(directory: Path, backends: list[str]) -> None:
    x = models.load(directory / "data.npz")["x"]
    # compile=False: a model compiled under PyTorch records its optimizer as
    # keras.src.backend.torch.optimizers...SGD, and loading that imports the PyTorch backend
    # into this TensorFlow process (with PyPI's CUDA torch 2.14.1 it crashed here).
    results = {
        f"{backend}/{name}": keras.models.load_model(
            directory / f"{name}_{backend}.keras", compile=False
        ).predict(x, verbose=0)
        for backend in backends
        for name in models.cells()
    }
    models.save(directory / "cross.npz", results)


if __name__ == "__main__":
    task, folder, *others = sys.argv[1:]
    if task == "cross":
        cross(Path(folder), others)
    else:
        {"reference": reference, "check": check}[task](Path(folder))
