"""Per-step latency and size of the streaming TFLite model vs a Keras step.

For 8, 32 and 128 neurons (fully connected and AutoNCP), exports
`Input(8 features) -> RNN(BioSynLTCCell) -> Dense(1)` as a float32 and an int8
streaming model and times, with the state fed back: LiteRT `invoke()` alone
(the device's cost), a full LiteRT step from Python (set inputs, invoke, read
outputs), the TFLite Micro host interpreter, and a Keras
`predict_on_batch` step of the same single-step model. Medians over 2,000
steps.

    python benchmarks/edge_latency.py --json benchmarks/results/edge_latency.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import keras
import numpy as np

from keras_biosyn import BioSynLTCCell, wirings
from keras_biosyn.export import LiteRTModel, calibration_samples, export_tflite, streaming_model
from keras_biosyn.export.runtime import _input_order

FEATURES = 8


def build(units, wiring_name):
    keras.utils.set_random_seed(0)
    wiring = wirings.AutoNCP(units, 1, seed=1) if wiring_name == "auto_ncp" else units
    return keras.Sequential(
        [
            keras.Input((None, FEATURES)),
            keras.layers.RNN(BioSynLTCCell(wiring)),
            keras.layers.Dense(1),
        ]
    )


def litert_times(path, steps, rng):
    from ai_edge_litert import interpreter as litert

    runner = LiteRTModel(path)  # only to map signature names to tensor indices
    interpreter = litert.Interpreter(model_path=str(path))
    interpreter.allocate_tensors()
    inputs = runner.runner.get_input_details()
    outputs = runner.runner.get_output_details()
    x_index, state_index = inputs["x_t"]["index"], inputs["state_0"]["index"]
    new_state_index = outputs["new_state_0"]["index"]
    state = np.zeros(inputs["state_0"]["shape"], np.float32)
    invoke, full = [], []
    for _ in range(steps):
        x = rng.normal(size=(1, FEATURES)).astype(np.float32)
        start = time.perf_counter()
        interpreter.set_tensor(x_index, x)
        interpreter.set_tensor(state_index, state)
        middle = time.perf_counter()
        interpreter.invoke()
        done = time.perf_counter()
        state = interpreter.get_tensor(new_state_index)
        end = time.perf_counter()
        invoke.append(done - middle)
        full.append(end - start)
    return statistics.median(invoke), statistics.median(full)


def micro_time(path, steps, rng):
    from tflite_micro.python.tflite_micro import runtime as tflm

    order = [d["name"] for d in _input_order(LiteRTModel(path))]
    interpreter = tflm.Interpreter.from_file(str(path))
    state = np.zeros((1, build_units(path)), np.float32)
    times = []
    for _ in range(steps):
        feed = {"x_t": rng.normal(size=(1, FEATURES)).astype(np.float32), "state_0": state}
        for index, name in enumerate(order):
            interpreter.set_input(feed[name], index)
        start = time.perf_counter()
        interpreter.invoke()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def build_units(path):
    return int(LiteRTModel(path).input_shapes["state_0"][-1])


def keras_step_time(model, steps, rng):
    step = streaming_model(model)
    state = np.zeros((1, step.inputs[1].shape[-1]), np.float32)
    step.predict_on_batch([np.zeros((1, FEATURES), np.float32), state])
    times = []
    for _ in range(steps):
        x = rng.normal(size=(1, FEATURES)).astype(np.float32)
        start = time.perf_counter()
        outputs = step.predict_on_batch([x, state])
        times.append(time.perf_counter() - start)
        state = np.asarray(outputs["new_state_0"])
    return statistics.median(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", default="8,32,128")
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    rows = []
    print(
        "| wiring | neurons | quantization | size KB | LiteRT invoke µs | LiteRT step from "
        "Python µs | TFLite Micro invoke µs | Keras predict_on_batch step µs |"
    )
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as directory:
        for wiring_name in ("fully_connected", "auto_ncp"):
            for units in map(int, args.units.split(",")):
                model = build(units, wiring_name)
                keras_us = 1e6 * keras_step_time(model, min(args.steps, 300), rng)
                calibration = rng.normal(size=(16, 40, FEATURES)).astype(np.float32)
                for quantization in (None, "int8"):
                    path = Path(directory) / f"{wiring_name}_{units}_{quantization}.tflite"
                    export_tflite(
                        model,
                        path,
                        quantization=quantization,
                        representative_data=calibration_samples(model, calibration)
                        if quantization
                        else None,
                    )
                    invoke, full = litert_times(path, args.steps, rng)
                    micro = micro_time(path, min(args.steps, 500), rng)
                    row = {
                        "wiring": wiring_name,
                        "units": units,
                        "quantization": quantization or "float32",
                        "size_bytes": path.stat().st_size,
                        "litert_invoke_us": 1e6 * invoke,
                        "litert_step_us": 1e6 * full,
                        "tflite_micro_invoke_us": 1e6 * micro,
                        "keras_step_us": keras_us,
                    }
                    rows.append(row)
                    print(
                        f"| {wiring_name} | {units} | {row['quantization']} | "
                        f"{row['size_bytes'] / 1024:.1f} | {row['litert_invoke_us']:.1f} | "
                        f"{row['litert_step_us']:.1f} | {row['tflite_micro_invoke_us']:.1f} | "
                        f"{keras_us:.0f} |",
                        flush=True,
                    )
    if args.json:
        Path(args.json).write_text(json.dumps({"steps": args.steps, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
