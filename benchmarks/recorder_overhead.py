"""Cost of `CoefficientRecorder` at its default frequency (every epoch), as a ratio.

Two identical models train side by side, one with the recorder (probe of 8
sequences, all coefficients, streamed to .npz) and one without; epochs are
timed round-robin and the ratio of median epoch times is printed, with the
recorder's own median time per record as a share of an epoch (the steadier
figure on a noisy machine). Two
configurations: the speed benchmark's (2,048 sequences of 64 steps, 32
neurons, XLA) and the main job's (216 Japanese Vowels utterances, 16 neurons).
The record time is measured here, around the recorder's public `record` step.

    python benchmarks/recorder_overhead.py
    python benchmarks/recorder_overhead.py --quick     # a tiny run: does it work?
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import keras
import numpy as np

from keras_biosyn import BioSynLTCCell, CoefficientRecorder
from keras_biosyn.datasets import load_japanese_vowels


class TimedRecorder(CoefficientRecorder):
    """A `CoefficientRecorder` that keeps the wall time of each record in `record_seconds`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.record_seconds = []

    def record(self, epoch, batch):
        start = time.perf_counter()
        record = super().record(epoch, batch)
        self.record_seconds.append(time.perf_counter() - start)
        return record


def make(steps, features, units, outputs, loss, jit):
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((steps, features)),
            keras.layers.RNN(BioSynLTCCell(units), name="ltc"),
            keras.layers.Dense(outputs),
        ]
    )
    model.compile(keras.optimizers.Adam(0.01), loss, jit_compile=jit)
    return model


def overhead(name, x, y, model_args, batch_size, rounds=6):
    plain, recorded = make(*model_args), make(*model_args)
    with tempfile.TemporaryDirectory() as directory:
        recorder = TimedRecorder(x[:8], save_path=directory)
        times = {"plain": [], "recorded": []}
        for model, callbacks in ((plain, []), (recorded, [recorder])):
            model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0, callbacks=callbacks)
        for _ in range(rounds):
            for key, model, callbacks in (
                ("plain", plain, []),
                ("recorded", recorded, [recorder]),
            ):
                start = time.perf_counter()
                model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0, callbacks=callbacks)
                times[key].append(time.perf_counter() - start)
        records = len(list(Path(directory).glob("record_*.npz")))
    plain_s, recorded_s = (statistics.median(times[k]) for k in ("plain", "recorded"))
    record_ms = 1000 * statistics.median(recorder.record_seconds)
    print(
        f"{name}: epoch {plain_s:.3f} s without, {recorded_s:.3f} s with the recorder: "
        f"{100 * (recorded_s / plain_s - 1):+.1f} % (noisy); {records} records of "
        f"{record_ms:.1f} ms = {100 * record_ms / 1000 / plain_s:.1f} % of an epoch"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=6, help="timed epochs per model")
    parser.add_argument(
        "--quick", action="store_true", help="one tiny configuration, one round (a smoke test)"
    )
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error(f"--rounds must be at least 1. Received: {args.rounds}")
    rng = np.random.default_rng(0)
    if args.quick:
        x = rng.normal(size=(32, 8, 2)).astype("float32")
        overhead(
            "quick (32 x 8 steps, 4 neurons)",
            x,
            x[:, -1, :1],
            (8, 2, 4, 1, "mse", False),
            batch_size=16,
            rounds=1,
        )
        return
    x = rng.normal(size=(2048, 64, 8)).astype("float32")
    y = x[:, -8:, :1].mean(axis=1)
    overhead(
        "speed benchmark (2,048 x 64 steps, 32 neurons, XLA)",
        x,
        y,
        (64, 8, 32, 1, "mse", True),
        batch_size=64,
        rounds=args.rounds,
    )
    train = load_japanese_vowels()["train"]
    overhead(
        "main job (216 x 29 steps, 16 neurons)",
        train.x,
        train.y,
        (29, 12, 16, 9, "sparse_categorical_crossentropy", "auto"),
        batch_size=32,
        rounds=args.rounds,
    )


if __name__ == "__main__":
    main()
