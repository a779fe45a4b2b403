"""Training and inference speed of BioSynLTCCell vs ncps 1.0.1's LTC vs keras LSTM.

All models run side by side in one process on the same data: input 64 steps x 8
features -> 32 neurons -> Dense(1), batch 64, 2,048 sequences; BioSynLTC at each
`--settings` solver:unfolds (default: the package default and the earlier
semi_implicit:6), ncps at its own 6 unfolds.
Prints the median seconds per training epoch (after one untimed epoch that holds
tracing and compilation) and per inference batch, with speed ratios (time of the
other model / time of this one, so > 1 means faster). Models are timed
round-robin, one epoch each per round, so the machine's drifting load is spread
evenly over them.

    pip install ".[bench]"
    python benchmarks/speed.py --json benchmarks/results/speed.json
    python benchmarks/speed.py --jit on --epochs 3 --settings exponential:1,semi_implicit:6

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


def make_rnn(kind: str, wiring_name: str):
    if kind.startswith("biosyn_ltc"):
        setting = kind.split("@")[1] if "@" in kind else "default"
        options = {}
        if "=" in setting:  # cell arguments: input_mapping=dense+solver=rk4
            options = dict(pair.split("=") for pair in setting.split("+"))
        elif setting != "default":  # the package default: no arguments
            solver, unfolds = setting.split(":")
            options = {"solver": solver, "ode_unfolds": int(unfolds)}
        if wiring_name == "auto_ncp":
            cell = BioSynLTCCell(wirings.AutoNCP(UNITS, 1, seed=1), **options)
        else:
            cell = BioSynLTCCell(UNITS, **options)
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


def build(kind, wiring_name, jit):
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((STEPS, FEATURES)), make_rnn(kind, wiring_name), keras.layers.Dense(1)]
    )
    model.compile(keras.optimizers.Adam(0.01), "mse", jit_compile=jit)
    return model


def measure(configs, x, y, rounds, inference_batches):
    """Times each `(kind, wiring, jit)` config round-robin; returns one row per config."""
    models = {}
    for config in configs:
        model = build(*config)
        model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)  # trace and compile
        model.predict_on_batch(x[:BATCH])
        models[config] = model
    epochs = {config: [] for config in configs}
    inference = {config: [] for config in configs}
    for _ in range(rounds):
        for config, model in models.items():
            start = time.perf_counter()
            model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
            epochs[config].append(time.perf_counter() - start)
            for _ in range(inference_batches):
                start = time.perf_counter()
                model.predict_on_batch(x[:BATCH])
                inference[config].append(time.perf_counter() - start)
    return [
        {
            "model": kind,
            "wiring": wiring_name if kind != "lstm" else None,
            "jit_compile": jit,
            "epoch_s": statistics.median(epochs[(kind, wiring_name, jit)]),
            "epoch_times_s": epochs[(kind, wiring_name, jit)],
            "inference_batch_s": statistics.median(inference[(kind, wiring_name, jit)]),
        }
        for kind, wiring_name, jit in configs
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="biosyn_ltc,ncps_ltc,lstm")
    parser.add_argument(
        "--settings",
        default=None,
        help="BioSynLTC settings, comma-separated: 'default' for no arguments, solver:unfolds, "
        "or cell arguments such as input_mapping=dense (several joined by '+') "
        "(default: default,semi_implicit:6, the 0.1 default)",
    )
    parser.add_argument("--wirings", default="fully_connected,auto_ncp")
    parser.add_argument("--jit", choices=["off", "on", "both"], default="both")
    parser.add_argument("--epochs", type=int, default=5, help="timed rounds of one epoch")
    parser.add_argument("--inference-batches", type=int, default=10, help="per round")
    parser.add_argument("--json", help="Also write the results to this JSON file.")
    args = parser.parse_args(argv)

    rng = np.random.default_rng(0)
    x = rng.normal(size=(SEQUENCES, STEPS, FEATURES)).astype("float32")
    y = (x[:, -8:, :2].mean(axis=(1, 2)) + 0.1 * rng.normal(size=SEQUENCES))[:, None]
    y = y.astype("float32")
    jits = {"off": [False], "on": [True], "both": [False, True]}[args.jit]
    wiring_names = args.wirings.split(",")
    settings = args.settings or "default,semi_implicit:6"
    kinds = []
    for kind in args.models.split(","):
        if kind == "biosyn_ltc":
            kinds += [f"biosyn_ltc@{setting}" for setting in settings.split(",")]
        else:
            kinds.append(kind)
    configs = [
        (kind, wiring_name, jit)
        for wiring_name in wiring_names
        for kind in kinds
        if not (kind == "lstm" and wiring_name != wiring_names[0])
        for jit in jits
    ]
    results = measure(configs, x, y, args.epochs, args.inference_batches)
    for row in results:
        print(
            f"{row['model']:>11} {row['wiring']!s:>15} jit={row['jit_compile']!s:5} "
            f"epoch {row['epoch_s']:7.3f} s   "
            f"inference {1000 * row['inference_batch_s']:8.2f} ms/batch"
        )
    print()
    print(report(results))
    print()
    print(report_by_jit(results))
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
    """Markdown table: each LTC at its best jit setting, speed ratios vs ncps and LSTM."""
    lines = [
        "| wiring | model | s / epoch | ms / inference batch | training speed vs ncps | "
        "inference speed vs ncps | training speed vs LSTM | inference speed vs LSTM |",
        "|---|---|---|---|---|---|---|---|",
    ]

    def ratio(base, value):
        return f"{base / value:.2f}x" if base else "n/a"

    lstm_train = _best(results, "lstm", None, "epoch_s")
    lstm_infer = _best(results, "lstm", None, "inference_batch_s")
    for wiring_name in sorted({r["wiring"] for r in results if r["wiring"]}):
        ncps_train = _best(results, "ncps_ltc", wiring_name, "epoch_s")
        ncps_infer = _best(results, "ncps_ltc", wiring_name, "inference_batch_s")
        kinds = sorted({r["model"] for r in results if r["model"].startswith("biosyn_ltc")})
        for kind in [*kinds, "ncps_ltc"]:
            train = _best(results, kind, wiring_name, "epoch_s")
            infer = _best(results, kind, wiring_name, "inference_batch_s")
            if train is None:
                continue
            lines.append(
                f"| {wiring_name} | {kind} | {train:.3f} | {1000 * infer:.2f} | "
                f"{ratio(ncps_train, train)} | {ratio(ncps_infer, infer)} | "
                f"{ratio(lstm_train, train)} | {ratio(lstm_infer, infer)} |"
            )
    return "\n".join(lines)


def report_by_jit(results) -> str:
    """Markdown table: every configuration at each jit setting, ratios vs the LSTM at the same."""
    lines = [
        "| jit_compile | wiring | model | s / epoch | ms / inference batch | "
        "LSTM time / this (training) | LSTM time / this (inference) |",
        "|---|---|---|---|---|---|---|",
    ]
    for jit in sorted({r["jit_compile"] for r in results}):
        lstm = next((r for r in results if r["model"] == "lstm" and r["jit_compile"] == jit), None)
        for row in results:
            if row["jit_compile"] != jit:
                continue
            train = f"{lstm['epoch_s'] / row['epoch_s']:.2f}x" if lstm else "n/a"
            infer = f"{lstm['inference_batch_s'] / row['inference_batch_s']:.2f}x" if lstm else ""
            lines.append(
                f"| {jit} | {row['wiring'] or '—'} | {row['model']} | {row['epoch_s']:.3f} | "
                f"{1000 * row['inference_batch_s']:.2f} | {train} | {infer} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
