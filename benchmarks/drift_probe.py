"""Forecasting beyond the training range: where does BioSynLTC stop following its inputs?

A controlled version of what the regression tasks show. A series of three
correlated features whose level drifts (a random walk plus a daily cycle and
noise) is standardised on its first 60 % and split in time (60 / 20 / 20 %),
so the later windows move beyond the levels seen in training. The target is
the next value of the first feature: the naive forecast (the last value) is
close to optimal, and a model has to pass its input's level through to its
output to match it.

Per model (BioSynLTC with the affine and the dense input mapping, and each
with gentler sensory slopes; an LSTM; the naive forecast): the test MSE on
windows whose inputs stay within the training range and on those that leave
it, and for BioSynLTC the share of (conductance-weighted) sensory synapses
that are saturated (`σ'(·) < 0.01 · max σ'`: the input no longer moves them)
on training windows and on out-of-range test windows. Saturated sensory
synapses cannot tell a level of 2 from a level of 4: if they explain the
gap, the out-of-range error grows with the saturated share.

With `--target change` every model forecasts the change from the last value
instead (errors are the same quantity: the next value's), the usual remedy
for drifting levels.

    python benchmarks/drift_probe.py --seeds 3 --json benchmarks/results/drift_probe.json
    python benchmarks/drift_probe.py --seeds 3 --target change \
        --json benchmarks/results/drift_probe_change.json
"""

from __future__ import annotations

import argparse
import json
import statistics

import keras
import numpy as np
from forecast_shift import mse, outside_training_range

from keras_biosyn.benchmarking.models import benchmark_layer
from keras_biosyn.datasets.splits import Split
from keras_biosyn.recipes import compile_model, fit, sequence_model

WINDOW = 24
GENTLE = {"sensory_sigma_initializer": keras.initializers.RandomUniform(0.5, 2.0)}
MODELS = {
    "BioSynLTC affine": ("biosyn_ltc", {}),
    "BioSynLTC affine, sensory slopes U(0.5, 2)": ("biosyn_ltc", GENTLE),
    "BioSynLTC dense": ("biosyn_ltc", {"input_mapping": "dense"}),
    "BioSynLTC dense, sensory slopes U(0.5, 2)": (
        "biosyn_ltc",
        {"input_mapping": "dense", **GENTLE},
    ),
    "LSTM": ("lstm", None),
}


def drifting_series(steps: int = 6000, seed: int = 0) -> np.ndarray:
    """`(steps, 3)`: a drifting level, a daily cycle, and noise; features share the level."""
    rng = np.random.default_rng(seed)
    level = np.cumsum(rng.normal(0.0, 0.02, steps)) + np.linspace(0.0, 1.5, steps)
    cycle = np.sin(2 * np.pi * np.arange(steps) / 24.0)
    return np.stack(
        [
            level + 0.5 * cycle + rng.normal(0, 0.05, steps),
            0.8 * level - 0.3 * cycle + rng.normal(0, 0.1, steps),
            cycle + rng.normal(0, 0.1, steps),
        ],
        axis=1,
    ).astype("float32")


def splits(series: np.ndarray, target: str = "level") -> dict[str, Split]:
    """Windows of `WINDOW` steps -> the next value of feature 0, split 60/20/20 in time."""
    cut = int(0.6 * len(series))
    mean, std = series[:cut].mean(0), series[:cut].std(0)
    series = (series - mean) / std
    x = np.stack([series[i : i + WINDOW] for i in range(len(series) - WINDOW)])
    y = series[WINDOW:, :1]
    bounds = [0, int(0.6 * len(x)), int(0.8 * len(x)), len(x)]
    names = ("train", "validation", "test")
    last = x[:, -1, :1]
    if target == "change":  # the next value minus the last: the naive forecast is 0
        y, last = y - last, np.zeros_like(last)
    return {
        name: Split(x[a:b], np.full(b - a, WINDOW, "int32"), y[a:b], naive=last[a:b])
        for name, a, b in zip(names, bounds, bounds[1:], strict=False)
    }


def saturated_share(cell, windows: np.ndarray) -> float | None:
    """Conductance-weighted share of sensory synapses with `σ' < 0.01 max σ'` over `windows`."""
    if not len(windows):
        return None
    mapped = keras.ops.convert_to_numpy(cell.map_inputs(windows.reshape(-1, windows.shape[-1])))
    sigma, mu = cell.sensory_sigma.numpy(), cell.sensory_mu.numpy()
    w = cell.sensory_w.numpy() * np.abs(cell.sensory_adjacency.numpy())
    a = 1.0 / (1.0 + np.exp(-sigma * (mapped[:, :, None] - mu)))
    saturated = 4 * a * (1 - a) < 0.01
    return float((saturated * w).sum() / (w.sum() * len(mapped)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--neurons", type=int, default=16)
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument(
        "--target",
        choices=["level", "change"],
        default="level",
        help="forecast the next value, or its change from the last (the same errors)",
    )
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    rows = {"naive": []}
    for seed in range(args.seeds):
        data = splits(drifting_series(seed=seed), args.target)
        train, test = data["train"], data["test"]
        far = outside_training_range(train, test, features=slice(None))
        rows["naive"].append(
            {
                "test_inside": mse(test.naive, test.y, ~far),
                "test_outside": mse(test.naive, test.y, far),
            }
        )
        for label, (model_name, options) in MODELS.items():
            keras.utils.set_random_seed(seed)
            layer = benchmark_layer(model_name, args.neurons, wiring=None, cell_options=options)
            model = compile_model(
                sequence_model(layer, WINDOW, 3, 1, "regression", masked=False),
                "regression",
                jit_compile=True,
            )
            fit(model, train, data["validation"], args.epochs, 64, 10, verbose=0)
            predicted = model.predict(test.x, batch_size=len(test.x), verbose=0)
            result = {
                "test_inside": mse(predicted, test.y, ~far),
                "test_outside": mse(predicted, test.y, far),
                "outside_windows": int(far.sum()),
            }
            if model_name == "biosyn_ltc":
                result["saturated_train"] = saturated_share(layer.cell, train.x)
                result["saturated_outside"] = saturated_share(layer.cell, test.x[far])
            rows.setdefault(label, []).append(result)
            print(label, seed, result, flush=True)
            keras.backend.clear_session()
    keys = ("test_inside", "test_outside", "saturated_train", "saturated_outside")
    print(
        "\n| model | test MSE, inputs in range | test MSE, out of range | "
        "saturated sensory, train | saturated sensory, out of range |\n|---|---|---|---|---|"
    )
    for label, results in rows.items():
        cells = []
        for key in keys:
            values = [r[key] for r in results if r.get(key) is not None]
            cells.append(f"{statistics.mean(values):.4f}" if values else "—")
        print(f"| {label} | " + " | ".join(cells) + " |")
    if args.json:
        with open(args.json, "w") as file:
            json.dump(rows, file, indent=1)


if __name__ == "__main__":
    main()
