"""Per-step latency and size of the streaming TFLite model vs a Keras step.

For 8, 32 and 128 neurons (fully connected and AutoNCP), exports
`Input(8 features) -> RNN(BioSynLTCCell) -> Dense(1)` as a float32 and an int8
streaming model and times, with the state fed back: LiteRT `invoke()` alone
(the device's cost), a full LiteRT step from Python (set inputs, invoke, read
outputs), the TFLite Micro host interpreter, and a Keras
`predict_on_batch` step of the same single-step model. Medians over 2,000
steps. Beside them, the same for `keras.layers.LSTM` of as many units with the
same Dense(1) head, exported by the same `export_tflite` (its step `(x_t, h, c)
-> (y_t, h', c')`): the baseline to compare with.

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
from keras_biosyn.export import LiteRTModel, export_tflite, streaming_model
from keras_biosyn.export.runtime import signature_input_order

FEATURES = 8


def build(units, wiring_name):
    keras.utils.set_random_seed(0)
    if wiring_name == "lstm":
        rnn = keras.layers.LSTM(units)
    else:
        wiring = wirings.AutoNCP(units, 1, seed=1) if wiring_name == "auto_ncp" else units
        rnn = keras.layers.RNN(BioSynLTCCell(wiring))
    return keras.Sequential([keras.Input((None, FEATURES)), rnn, keras.layers.Dense(1)])


def litert_times(path, steps, rng):
    from ai_edge_litert import interpreter as litert

    runner = LiteRTModel(path)  # only to map signature names to tensor indices
    interpreter = litert.Interpreter(model_path=str(path))
    interpreter.allocate_tensors()
    inputs = runner.runner.get_input_details()
    outputs = runner.runner.get_output_details()
    x_index = inputs["x_t"]["index"]
    names = [name for name in inputs if name.startswith("state_")]
    states = {name: np.zeros(inputs[name]["shape"], np.float32) for name in names}
    invoke, full = [], []
    for _ in range(steps):
        x = rng.normal(size=(1, FEATURES)).astype(np.float32)
        start = time.perf_counter()
        interpreter.set_tensor(x_index, x)
        for name in names:
            interpreter.set_tensor(inputs[name]["index"], states[name])
        middle = time.perf_counter()
        interpreter.invoke()
        done = time.perf_counter()
        for name in names:
            states[name] = interpreter.get_tensor(outputs[f"new_{name}"]["index"])
        end = time.perf_counter()
        invoke.append(done - middle)
        full.append(end - start)
    return statistics.median(invoke), statistics.median(full)


def micro_time(path, steps, rng):
    from tflite_micro.python.tflite_micro import runtime as tflm

    runner = LiteRTModel(path)
    order = signature_input_order(runner)
    interpreter = tflm.Interpreter.from_file(str(path))
    states = {n: np.zeros(runner.input_shapes[n], np.float32) for n in order if n != "x_t"}
    times = []
    for _ in range(steps):
        feed = {"x_t": rng.normal(size=(1, FEATURES)).astype(np.float32), **states}
        for index, name in enumerate(order):
            interpreter.set_input(feed[name], index)
        start = time.perf_counter()
        interpreter.invoke()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def keras_step_time(step, steps, rng):
    """A Keras `predict_on_batch` step of a step model, its states fed back."""
    states = [np.zeros((1, t.shape[-1]), np.float32) for t in step.inputs[1:]]
    step.predict_on_batch([np.zeros((1, FEATURES), np.float32), *states])
    times = []
    for _ in range(steps):
        x = rng.normal(size=(1, FEATURES)).astype(np.float32)
        start = time.perf_counter()
        outputs = step.predict_on_batch([x, *states])
        times.append(time.perf_counter() - start)
        states = [np.asarray(outputs[f"new_state_{k}"]) for k in range(len(states))]
    return statistics.median(times)


def measure(path, rng, steps, row):
    invoke, full = litert_times(path, steps, rng)
    row.update(
        size_bytes=path.stat().st_size,
        litert_invoke_us=1e6 * invoke,
        litert_step_us=1e6 * full,
        tflite_micro_invoke_us=1e6 * micro_time(path, min(steps, 500), rng),
    )
    return row


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", default="8,32,128")
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    rows = []
    print(
        "| model | wiring | neurons | quantization | size KB | LiteRT invoke µs | LiteRT step "
        "from Python µs | TFLite Micro invoke µs | Keras predict_on_batch step µs |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    calibration = rng.normal(size=(16, 40, FEATURES)).astype(np.float32)
    with tempfile.TemporaryDirectory() as directory:
        for units in map(int, args.units.split(",")):
            for wiring_name in ("fully_connected", "auto_ncp", "lstm"):
                model = build(units, wiring_name)
                step = streaming_model(model)
                if wiring_name == "lstm":
                    model_name, wiring_label = "lstm_cell", "—"
                else:
                    cell = model.layers[0].cell
                    model_name = f"biosyn_ltc ({cell.solver} x{cell.ode_unfolds})"
                    wiring_label = wiring_name
                keras_us = 1e6 * keras_step_time(step, min(args.steps, 300), rng)
                for quantization in (None, "int8"):
                    path = Path(directory) / f"{wiring_name}_{units}_{quantization}.tflite"
                    export_tflite(
                        model,
                        path,
                        quantization=quantization,
                        representative_data=calibration if quantization else None,
                    )
                    row = measure(
                        path,
                        rng,
                        args.steps,
                        {
                            "model": model_name,
                            "wiring": wiring_label,
                            "units": units,
                            "quantization": quantization or "float32",
                            "keras_step_us": keras_us,
                        },
                    )
                    rows.append(row)
                    print(
                        f"| {model_name} | {wiring_label} | {units} | {row['quantization']} | "
                        f"{row['size_bytes'] / 1024:.1f} | {row['litert_invoke_us']:.1f} | "
                        f"{row['litert_step_us']:.1f} | {row['tflite_micro_invoke_us']:.1f} | "
                        f"{keras_us:.0f} |",
                        flush=True,
                    )
    if args.json:
        Path(args.json).write_text(json.dumps({"steps": args.steps, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
