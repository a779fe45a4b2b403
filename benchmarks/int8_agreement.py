"""int8 against float32 on trained AutoNCP classifiers: how often int8 changes a prediction.

Trains twelve `AutoNCP(12, 6)` BioSynLTC classifiers on the embedded Japanese Vowels
(input mapping dense and affine x 20 and 40 epochs x seeds 0-2, the package's
classification recipe) once, then exports each to int8 (calibrated on 64 training
sequences) with the code that is imported, and measures on all 370 test sequences the
share of predictions int8 leaves unchanged (LiteRT, states fed back) and the accuracy
change. Comparing two versions of the export: run `--measure` under each (e.g. with
`PYTHONPATH` pointing at another checkout) on the same `--models`.

    python benchmarks/int8_agreement.py --train --models /tmp/int8_models
    python benchmarks/int8_agreement.py --measure --models /tmp/int8_models --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

RUNS = [
    (mapping, epochs, seed)
    for mapping in ("dense", "affine")
    for epochs in (20, 40)
    for seed in (0, 1, 2)
]


def name(mapping, epochs, seed) -> str:
    return f"{mapping}_{epochs}_seed{seed}.keras"


def train(models: Path):
    import keras

    from keras_biosyn import BioSynLTCCell, recipes
    from keras_biosyn.datasets import load_japanese_vowels

    splits = load_japanese_vowels()
    models.mkdir(parents=True, exist_ok=True)
    for mapping, epochs, seed in RUNS:
        path = models / name(mapping, epochs, seed)
        if path.exists():
            continue
        keras.utils.set_random_seed(seed)
        wiring = recipes.wiring_by_name("auto_ncp", 12, output_size=6, seed=seed)
        cell = BioSynLTCCell(wiring, input_mapping=mapping)
        model = recipes.sequence_model(keras.layers.RNN(cell), 29, 12, 9)
        recipes.compile_model(model, "classification", jit_compile=True)
        model.fit(splits["train"].x, splits["train"].y, epochs=epochs, batch_size=32, verbose=0)
        model.save(path)
        print(f"trained {path.name}", flush=True)


def measure(models: Path) -> list[dict]:
    import keras

    import keras_biosyn  # noqa: F401  (registers the cells)
    from keras_biosyn.datasets import load_japanese_vowels
    from keras_biosyn.export import LiteRTModel, export_tflite

    splits = load_japanese_vowels()
    test = splits["test"]
    rows = []
    with tempfile.TemporaryDirectory() as directory:
        for mapping, epochs, seed in RUNS:
            model = keras.models.load_model(models / name(mapping, epochs, seed))
            path = export_tflite(
                model,
                Path(directory) / "int8.tflite",
                quantization="int8",
                representative_data=splits["train"].x[:64],
                overwrite=True,
            )
            float_classes = np.argmax(model.predict(test.x, verbose=0), -1)
            int8_classes = np.argmax(LiteRTModel(path).predict(test.x, test.length), -1)
            row = {
                "mapping": mapping,
                "epochs": epochs,
                "seed": seed,
                "agreement": float(np.mean(float_classes == int8_classes)),
                "float32_accuracy": float(np.mean(float_classes == test.y)),
                "int8_accuracy": float(np.mean(int8_classes == test.y)),
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
    for mapping in ("dense", "affine"):
        mine = [r for r in rows if r["mapping"] == mapping]
        agreement = [r["agreement"] for r in mine]
        loss = [r["float32_accuracy"] - r["int8_accuracy"] for r in mine]
        print(
            f"{mapping}: agreement mean {100 * statistics.mean(agreement):.1f} % "
            f"(worst {100 * min(agreement):.1f} %), accuracy change mean "
            f"{-100 * statistics.mean(loss):+.1f} points (worst {-100 * max(loss):+.1f})"
        )
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=Path, required=True)
    parser.add_argument("--train", action="store_true")
    parser.add_argument("--measure", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if args.train:
        train(args.models)
    if args.measure:
        rows = measure(args.models)
        if args.json:
            args.json.write_text(json.dumps({"runs": rows}, indent=1))


if __name__ == "__main__":
    main()
