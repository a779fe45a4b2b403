"""Seconds per training epoch of the same BioSynLTC model under each Keras backend.

One subprocess per configuration (the backend is fixed when Keras is imported):
input 64 steps x 8 features -> 32 neurons -> Dense(1), Adam, batch 64, 256
sequences (4 batches per epoch: PyTorch takes seconds per batch), 0.1's
semi-implicit step with 6 ODE unfolds (the configuration of the committed
results; 0.2's default takes 1 unfold fully connected, 3 on the AutoNCP),
fully connected (dense layout) and AutoNCP(32, 1) (sparse layout).
Each subprocess trains one untimed epoch (tracing and compilation), then times
`--epochs` epochs; the script prints the medians and the speed of each backend
relative to TensorFlow with XLA (`jit_compile=True`, the fastest TensorFlow
setting on CPU): time of TensorFlow / time of the backend, so > 1 means faster.

    pip install ".[jax,torch]"
    python benchmarks/backends.py --json benchmarks/results/backends.json

Configurations run one after another, so a change in the machine's load
between them shows in the ratios: run it on an idle machine, or twice.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import time

STEPS, FEATURES, BATCH, SEQUENCES, UNITS, UNFOLDS = 64, 8, 64, 256, 32, 6
SOLVER = "semi_implicit"  # with UNFOLDS: the step the committed results were measured with
# (backend, jit_compile): jit_compile=True means XLA under TensorFlow and JAX (JAX's
# default); PyTorch runs eagerly (its jit_compile=True is torch.compile, not timed here).
CONFIGS = [("tensorflow", False), ("tensorflow", True), ("jax", True), ("torch", False)]
WIRINGS = ("fully_connected", "auto_ncp")
REFERENCE = ("tensorflow", True)


def worker(wiring: str, jit: bool, epochs: int) -> dict:
    """Runs in the subprocess: times `epochs` epochs after one untimed one."""
    import keras
    import numpy as np

    from keras_biosyn import BioSynLTCCell, wirings

    keras.utils.set_random_seed(0)
    units = wirings.AutoNCP(UNITS, 1, seed=1) if wiring == "auto_ncp" else UNITS
    model = keras.Sequential(
        [
            keras.Input((STEPS, FEATURES)),
            keras.layers.RNN(BioSynLTCCell(units, solver=SOLVER, ode_unfolds=UNFOLDS)),
            keras.layers.Dense(1),
        ]
    )
    model.compile(keras.optimizers.Adam(0.01), "mse", jit_compile=jit)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(SEQUENCES, STEPS, FEATURES)).astype("float32")
    y = x[:, -8:, :1].mean(axis=1)
    start = time.perf_counter()
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    first = time.perf_counter() - start
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
        times.append(time.perf_counter() - start)
    return {
        "backend": keras.backend.backend(),
        "keras": keras.__version__,
        "first_epoch_s": first,
        "epoch_times_s": times,
    }


def run_config(backend: str, wiring: str, jit: bool, epochs: int) -> dict:
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    command = [sys.executable, __file__, "--worker", wiring, str(jit), str(epochs)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"{backend} {wiring} jit={jit} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result.update(
        wiring=wiring, jit_compile=jit, epoch_s=statistics.median(result["epoch_times_s"])
    )
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs per configuration")
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        wiring, jit, epochs = args.worker
        print(json.dumps(worker(wiring, jit == "True", int(epochs))))
        return
    versions = {
        package: importlib.metadata.version(package)
        for package in ("tensorflow", "jax", "jaxlib", "torch", "keras")
        if importlib.util.find_spec(package) is not None
    }
    results = []
    for wiring in WIRINGS:
        for backend, jit in CONFIGS:
            if importlib.util.find_spec(backend) is None:
                print(f"skipped {backend}: not installed", file=sys.stderr)
                continue
            results.append(run_config(backend, wiring, jit, args.epochs))
    print(
        f"{'wiring':<16} {'backend':<11} {'jit':<5} {'s/epoch':>8} {'ms/batch':>9} "
        f"{'first':>7} {'speed':>6}"
    )
    for row in results:
        reference = next(
            r["epoch_s"]
            for r in results
            if r["wiring"] == row["wiring"] and (r["backend"], r["jit_compile"]) == REFERENCE
        )
        row["speed_vs_tensorflow_xla"] = reference / row["epoch_s"]
        print(
            f"{row['wiring']:<16} {row['backend']:<11} {row['jit_compile']!s:<5} "
            f"{row['epoch_s']:8.2f} {1000 * row['epoch_s'] / (SEQUENCES // BATCH):9.0f} "
            f"{row['first_epoch_s']:7.1f} "
            f"{row['speed_vs_tensorflow_xla']:5.2f}x"
        )
    if args.json:
        report = {
            "python": platform.python_version(),
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "versions": versions,
            "setup": {
                "steps": STEPS,
                "features": FEATURES,
                "batch": BATCH,
                "sequences": SEQUENCES,
                "units": UNITS,
                "solver": SOLVER,
                "ode_unfolds": UNFOLDS,
                "timed_epochs": args.epochs,
            },
            "results": results,
        }
        with open(args.json, "w") as file:
            json.dump(report, file, indent=2)
            file.write("\n")


if __name__ == "__main__":
    main()
