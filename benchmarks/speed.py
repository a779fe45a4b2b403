"""Training and inference speed of BioSynLTCCell vs ncps 1.0.1's LTC vs keras LSTM.

All models run side by side in one process on the same data: input 64 steps x 8
features -> 32 neurons -> Dense(1), batch 64, 2,048 sequences, 6 ODE unfolds.
Prints the median seconds per training epoch (first epoch excluded: it holds
tracing and compilation) and per inference batch, with ratios to ncps and LSTM.

    pip install ".[bench]"
    python benchmarks/speed.py                 # plain compile() and jit_compile=True
    python benchmarks/speed.py --jit off --epochs 3 --json benchmarks/results/speed.json

The machines are shared and noisy: compare the ratios, measured in one run.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time

import keras
import numpy as np

from keras_biosyn import BioSynLTCCell, wirings

STEPS, FEATURES, BATCH, SEQUENCES, UNITS, UNFOLDS = 64, 8, 64, 2048, 32, 6


class EpochTimer(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.times = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self._start)


def make_rnn(kind: str, wiring_name: str):
    if kind == "biosyn_ltc":
        if wiring_name == "auto_ncp":
            cell = BioSynLTCCell(wirings.AutoNCP(UNITS, 1, seed=1), ode_unfolds=UNFOLDS)
        else:
            cell = BioSynLTCCell(UNITS, ode_unfolds=UNFOLDS)
        return keras.layers.RNN(cell)
    if kind == "ncps_ltc":
        import ncps.keras
        import ncps.wirings

        if wiring_name == "auto_ncp":
            wiring = ncps.wirings.AutoNCP(UNITS, 1, seed=1)
        else:
            wiring = ncps.wirings.FullyConnected(UNITS)
        return ncps.keras.LTC(wiring, ode_unfolds=UNFOLDS)
    if kind == "lstm":
        return keras.layers.LSTM(UNITS)
    raise ValueError(f"Unknown model kind. Received: kind={kind!r}")


def measure(kind, wiring_name, jit, x, y, epochs, inference_batches):
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((STEPS, FEATURES)),
            make_rnn(kind, wiring_name),
            keras.layers.Dense(1),
        ]
    )
    model.compile(keras.optimizers.Adam(0.01), "mse", jit_compile=jit)
    timer = EpochTimer()
    model.fit(x, y, batch_size=BATCH, epochs=epochs, verbose=0, callbacks=[timer])
    batch = x[:BATCH]
    model.predict_on_batch(batch)  # trace / compile
    times = []
    for _ in range(inference_batches):
        start = time.perf_counter()
        model.predict_on_batch(batch)
        times.append(time.perf_counter() - start)
    return {
        "model": kind,
        "wiring": wiring_name if kind != "lstm" else None,
        "jit_compile": jit,
        "epoch_s": statistics.median(timer.times[1:] or timer.times),
        "epoch_times_s": timer.times,
        "inference_batch_s": statistics.median(times),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="biosyn_ltc,ncps_ltc,lstm")
    parser.add_argument("--wirings", default="fully_connected,auto_ncp")
    parser.add_argument("--jit", choices=["off", "on", "both"], default="both")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--inference-batches", type=int, default=30)
    parser.add_argument("--json", help="Also write the results to this JSON file.")
    args = parser.parse_args(argv)

    rng = np.random.default_rng(0)
    x = rng.normal(size=(SEQUENCES, STEPS, FEATURES)).astype("float32")
    y = (x[:, -8:, :2].mean(axis=(1, 2)) + 0.1 * rng.normal(size=SEQUENCES))[:, None]
    y = y.astype("float32")
    jits = {"off": [False], "on": [True], "both": [False, True]}[args.jit]
    results = []
    for wiring_name in args.wirings.split(","):
        for kind in args.models.split(","):
            if kind == "lstm" and wiring_name != args.wirings.split(",")[0]:
                continue
            for jit in jits:
                try:
                    row = measure(
                        kind,
                        wiring_name,
                        jit,
                        x,
                        y,
                        args.epochs,
                        args.inference_batches,
                    )
                except Exception as error:  # one model failing must not hide the rest
                    print(f"{kind}/{wiring_name}/jit={jit} failed: {error!r}")
                    continue
                results.append(row)
                print(
                    f"{kind:>11} {row['wiring']!s:>15} jit={jit!s:5} "
                    f"epoch {row['epoch_s']:7.3f} s   "
                    f"inference {1000 * row['inference_batch_s']:8.2f} ms/batch",
                    flush=True,
                )
    print()
    print(report(results))
    if args.json:
        with open(args.json, "w") as file:
            json.dump(
                {
                    "python": sys.version.split()[0],
                    "machine": platform.machine(),
                    "keras": keras.__version__,
                    "backend": keras.backend.backend(),
                    "results": results,
                },
                file,
                indent=2,
            )


def _best(results, kind, wiring_name, key):
    rows = [r for r in results if r["model"] == kind and r["wiring"] in (wiring_name, None)]
    return min((r[key] for r in rows), default=None)


def report(results) -> str:
    lines = [
        "| wiring | model | epoch s (best jit) | inference ms | train vs ncps | "
        "infer vs ncps | train vs LSTM | infer vs LSTM |",
        "|---|---|---|---|---|---|---|---|",
    ]
    wiring_names = sorted({r["wiring"] for r in results if r["wiring"]})
    for wiring_name in wiring_names:
        ncps_train = _best(results, "ncps_ltc", wiring_name, "epoch_s")
        ncps_infer = _best(results, "ncps_ltc", wiring_name, "inference_batch_s")
        lstm_train = _best(results, "lstm", None, "epoch_s")
        lstm_infer = _best(results, "lstm", None, "inference_batch_s")
        for kind in ("biosyn_ltc", "ncps_ltc"):
            train = _best(results, kind, wiring_name, "epoch_s")
            infer = _best(results, kind, wiring_name, "inference_batch_s")
            if train is None:
                continue

            def ratio(base, value):
                return f"{base / value:.2f}x" if base else "n/a"

            lines.append(
                f"| {wiring_name} | {kind} | {train:.3f} | {1000 * infer:.2f} | "
                f"{ratio(ncps_train, train)} | {ratio(ncps_infer, infer)} | "
                f"{ratio(lstm_train, train)} | {ratio(lstm_infer, infer)} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
