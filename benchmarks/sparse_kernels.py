"""Cost of one training / inference batch for the dense and sparse synapse layouts.

Random wirings of several sizes and densities, 16 steps x 8 features, batch 64,
6 unfolds, jit_compile=True, both layouts measured round-robin in one process
(medians), to place `SPARSE_MAX_DENSITY` (cells/biosyn_ltc_cell.py) where the
sparse layout stops paying in training.

    python benchmarks/sparse_kernels.py --json benchmarks/results/sparse_kernels.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import keras
import numpy as np

from keras_biosyn import BioSynLTCCell, wirings

STEPS, FEATURES, BATCH = 16, 8, 64


def build(units, density, layout):
    keras.utils.set_random_seed(0)
    wiring = wirings.Random(units, output_size=1, sparsity=1.0 - density, seed=1)
    cell = BioSynLTCCell(wiring, synapse_layout=layout)
    model = keras.Sequential(
        [keras.Input((STEPS, FEATURES)), keras.layers.RNN(cell), keras.layers.Dense(1)]
    )
    model.compile(keras.optimizers.Adam(0.01), "mse", jit_compile=True)
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", default="32,64,128,256")
    parser.add_argument("--densities", default="0.05,0.1,0.2,0.3,0.5")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(BATCH, STEPS, FEATURES)).astype("float32")
    y = rng.normal(size=(BATCH, 1)).astype("float32")
    variants = ("dense", "sparse")
    rows = []
    for units in map(int, args.units.split(",")):
        for density in map(float, args.densities.split(",")):
            models, times = {}, {}
            for name in variants:
                model = build(units, density, name)
                model.train_on_batch(x, y)  # trace and compile
                model.predict_on_batch(x)
                models[name] = model
                times[name] = {"train": [], "infer": []}
            for _ in range(args.rounds):
                for name, model in models.items():
                    start = time.perf_counter()
                    model.train_on_batch(x, y)
                    times[name]["train"].append(time.perf_counter() - start)
                    start = time.perf_counter()
                    model.predict_on_batch(x)
                    times[name]["infer"].append(time.perf_counter() - start)
            row = {"units": units, "density": density}
            for name in variants:
                row[f"{name}_train_ms"] = 1000 * statistics.median(times[name]["train"])
                row[f"{name}_infer_ms"] = 1000 * statistics.median(times[name]["infer"])
            rows.append(row)
            print(
                f"N={units:4d} density={density:.2f}  "
                + "  ".join(
                    f"{n}: train {row[f'{n}_train_ms']:8.1f} infer {row[f'{n}_infer_ms']:7.1f} ms"
                    for n in variants
                ),
                flush=True,
            )
            keras.backend.clear_session()
    if args.json:
        with open(args.json, "w") as file:
            json.dump({"steps": STEPS, "batch": BATCH, "rows": rows}, file, indent=2)


if __name__ == "__main__":
    main()
