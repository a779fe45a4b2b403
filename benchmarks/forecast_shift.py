"""Forecasting under drift: electricity demand, training period vs later periods.

The electricity splits are in time order (2012-13 train, Jan-Jun 2014
validation, Jul-Dec 2014 test). Trains BioSynLTC (the package default, and
0.1's) and an LSTM with the recipe of `keras-biosyn benchmark`, at its
learning rate (0.01) and at Adam's default (0.001), and reports, per model and
for the naive forecast (the last observed demand): the MSE on the training,
validation and test windows, and the test MSE split by whether a window's
inputs stay within the range seen in training or leave it (a demand or
temperature beyond the training minimum or maximum), so that what a model
does on inputs outside its training range shows.

    python benchmarks/forecast_shift.py --json benchmarks/results/forecast_shift.json
"""

from __future__ import annotations

import argparse
import json
import statistics

import keras
import numpy as np

from keras_biosyn.benchmarking import get_task
from keras_biosyn.benchmarking.models import build_model
from keras_biosyn.recipes import fit


def outside_training_range(train, split, features=slice(0, 2)) -> np.ndarray:
    """Windows whose `features` (default: demand and temperature) leave the training [min, max]."""
    low = train.x[..., features].min(axis=(0, 1))
    high = train.x[..., features].max(axis=(0, 1))
    values = split.x[..., features]
    return ((values < low) | (values > high)).any(axis=(1, 2))


def mse(predictions, targets, rows=None) -> float | None:
    """The MSE over `rows` (all by default); `None` when no row is selected."""
    rows = np.ones(len(targets), bool) if rows is None else rows
    return float(np.mean(np.square(predictions[rows] - targets[rows]))) if rows.any() else None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="biosyn_ltc,biosyn_ltc_0.1,lstm")
    parser.add_argument("--learning-rates", default="0.01,0.001")
    parser.add_argument("--neurons", type=int, default=16)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, help="epoch budget (default: the task's)")
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    task = get_task("electricity_demand")
    splits = task.load()
    train = splits["train"]
    outside = outside_training_range(train, splits["test"])
    rows = {}
    rows["naive"] = [
        {
            "train": mse(train.naive, train.y),
            "validation": mse(splits["validation"].naive, splits["validation"].y),
            "test": mse(splits["test"].naive, splits["test"].y),
            "test_inside": mse(splits["test"].naive, splits["test"].y, ~outside),
            "test_outside": mse(splits["test"].naive, splits["test"].y, outside),
        }
    ]
    settings = [
        (name, float(rate))
        for name in args.models.split(",")
        for rate in args.learning_rates.split(",")
    ]
    for name, rate in settings:
        label = f"{name}, Adam {rate:g}"
        rows[label] = []
        for seed in range(args.seeds):
            keras.utils.set_random_seed(seed)
            model = build_model(
                name, args.neurons, task, train.x.shape[1], train.x.shape[2], learning_rate=rate
            )
            fit(
                model,
                train,
                splits["validation"],
                args.epochs or task.epochs,
                task.batch_size,
                patience=10,
                validation_batch_size=len(splits["validation"].x),
                verbose=0,
            )
            predict = {
                k: model.predict(s.x, batch_size=len(s.x), verbose=0) for k, s in splits.items()
            }
            test = splits["test"]
            rows[label].append(
                {
                    "train": mse(predict["train"], train.y),
                    "validation": mse(predict["validation"], splits["validation"].y),
                    "test": mse(predict["test"], test.y),
                    "test_inside": mse(predict["test"], test.y, ~outside),
                    "test_outside": mse(predict["test"], test.y, outside),
                }
            )
            print(label, seed, rows[label][-1], flush=True)
            keras.backend.clear_session()
    keys = ("train", "validation", "test", "test_inside", "test_outside")
    print(
        f"\n{int(outside.sum())} of {len(outside)} test windows leave the training range.\n\n"
        "| model | train MSE | validation MSE | test MSE | test, inputs in range | "
        "test, inputs out of range |\n|---|---|---|---|---|---|"
    )
    for name, results in rows.items():
        cells = [statistics.mean(r[k] for r in results) for k in keys]
        print(f"| {name} | " + " | ".join(f"{c:.4f}" for c in cells) + " |")
    if args.json:
        payload = {"outside": int(outside.sum()), "windows": len(outside), "rows": rows}
        with open(args.json, "w") as file:
            json.dump(payload, file, indent=1)


if __name__ == "__main__":
    main()
