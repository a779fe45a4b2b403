"""How training and inference cost scale with neurons, synapses and sequence length.

Each configuration runs in its own subprocess (so its peak memory can be read),
trains a few batches of `Input(T, 8) -> RNN(BioSynLTCCell) -> Dense(1)` at batch
64 with jit_compile=True and reports median seconds per batch, the per-epoch
time for 2,048 sequences (32 batches), the synapse count, the layout in use and
the process's peak resident memory.

    python benchmarks/scaling.py --json benchmarks/results/scaling.json
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

BATCH, FEATURES, SEQUENCES = 64, 8, 2048


def measure(wiring_name: str, units: int, steps: int, batches: int) -> dict:
    import resource
    import statistics
    import time

    import keras
    import numpy as np

    from keras_biosyn import BioSynLTCCell, wirings

    keras.utils.set_random_seed(0)
    if wiring_name == "auto_ncp":
        wiring = wirings.AutoNCP(units, output_size=1, seed=1)
    else:
        wiring = wirings.FullyConnected(units, output_size=1, seed=1)
    cell = BioSynLTCCell(wiring)
    model = keras.Sequential(
        [keras.Input((steps, FEATURES)), keras.layers.RNN(cell), keras.layers.Dense(1)]
    )
    model.compile(keras.optimizers.Adam(0.01), "mse", jit_compile=True)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(BATCH, steps, FEATURES)).astype("float32")
    y = rng.normal(size=(BATCH, 1)).astype("float32")
    model.predict_on_batch(x)
    rss_after_build = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    model.train_on_batch(x, y)
    train, infer = [], []
    for _ in range(batches):
        start = time.perf_counter()
        model.train_on_batch(x, y)
        train.append(time.perf_counter() - start)
        start = time.perf_counter()
        model.predict_on_batch(x)
        infer.append(time.perf_counter() - start)
    train_s, infer_s = statistics.median(train), statistics.median(infer)
    return {
        "wiring": wiring_name,
        "units": units,
        "steps": steps,
        "synapses": wiring.synapse_count,
        "layout": cell.resolved_synapse_layout,
        "train_batch_s": train_s,
        "infer_batch_s": infer_s,
        "train_epoch_s": train_s * SEQUENCES / BATCH,
        "train_us_per_step_per_synapse": 1e6 * train_s / (steps * wiring.synapse_count),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "peak_rss_training_growth_mb": (
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_after_build
        )
        / 1024,
    }


def grid():
    for wiring in ("auto_ncp", "fully_connected"):
        for units in (8, 16, 32, 64, 128, 256, 512):
            if wiring == "fully_connected" and units > 256:
                continue
            yield wiring, units, 64
    for wiring in ("auto_ncp", "fully_connected"):
        for steps in (16, 256, 1024):
            yield wiring, 32, steps


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--single", nargs=3, metavar=("WIRING", "UNITS", "STEPS"))
    parser.add_argument("--batches", type=int, default=3)
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    if args.single:
        wiring, units, steps = args.single
        print("RESULT " + json.dumps(measure(wiring, int(units), int(steps), args.batches)))
        return
    rows = []
    print(
        "| wiring | neurons | steps | synapses | layout | train s/batch | s/epoch | "
        "infer s/batch | µs per step·synapse | peak RSS MB | RSS growth in training MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for wiring, units, steps in grid():
        batches = args.batches if units < 256 and steps < 1024 else 1
        done = subprocess.run(
            [
                sys.executable,
                __file__,
                "--single",
                wiring,
                str(units),
                str(steps),
                "--batches",
                str(batches),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
        if not lines:
            print(f"| {wiring} | {units} | {steps} | failed: {done.stderr[-300:]!r} |")
            continue
        row = json.loads(lines[-1][len("RESULT ") :])
        rows.append(row)
        print(
            f"| {wiring} | {units} | {steps} | {row['synapses']} | {row['layout']} | "
            f"{row['train_batch_s']:.3f} | {row['train_epoch_s']:.1f} | "
            f"{row['infer_batch_s']:.4f} | {row['train_us_per_step_per_synapse']:.3f} | "
            f"{row['peak_rss_mb']:.0f} | {row['peak_rss_training_growth_mb']:.0f} |",
            flush=True,
        )
    if args.json:
        with open(args.json, "w") as file:
            json.dump({"batch": BATCH, "features": FEATURES, "rows": rows}, file, indent=2)


if __name__ == "__main__":
    main()
