"""`keras-biosyn train`: the main job.

Trains a BioSynLTC classifier on the embedded Japanese Vowels set, trains an
LSTM with the same number of neurons on the same budget, prints both test
accuracies and saves the BioSynLTC model under `--output-dir` as `.keras`,
SavedModel and streaming TFLite (float32 and int8), with a manifest of each
file's test accuracy, size and checksum.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import keras
import numpy as np

from keras_biosyn import export, recipes
from keras_biosyn.datasets import japanese_vowels
from keras_biosyn.utils.backend import require_backend

STEM = "japanese_vowels_biosyn_ltc"


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "train",
        help="train a BioSynLTC model on the embedded dataset (the main job)",
        description=__doc__.split("\n\n")[1].replace("\n", " "),
    )
    parser.add_argument("--neurons", type=int, default=16, help="neurons (default 16)")
    parser.add_argument(
        "--wiring",
        choices=["fully_connected", "auto_ncp", "random"],
        default="fully_connected",
        help="circuit wiring (default fully_connected)",
    )
    parser.add_argument("--epochs", type=int, default=60, help="maximum epochs (default 60)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=0.01)
    parser.add_argument(
        "--patience", type=int, default=15, help="early-stopping patience in epochs"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=Path("saved_models"),
        help="where the model is saved (default ./saved_models)",
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip the LSTM comparison")
    parser.add_argument(
        "--verbose",
        type=int,
        choices=[0, 1, 2],
        default=None,
        help="Keras progress: 1 bars, 2 one line per epoch (default: 1 on a terminal)",
    )
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    for name in ("neurons", "epochs", "batch_size", "patience"):
        if getattr(args, name) < 1:
            raise SystemExit(f"--{name.replace('_', '-')} must be >= 1, got {getattr(args, name)}")
    # The job ends by exporting SavedModel and TFLite files: say so before training, not after.
    require_backend("keras-biosyn train (it exports SavedModel and TFLite files)")
    verbose = args.verbose if args.verbose is not None else (1 if sys.stdout.isatty() else 2)
    splits = japanese_vowels.load_japanese_vowels(seed=args.seed)
    train, validation, test = splits["train"], splits["validation"], splits["test"]
    print(
        f"Japanese Vowels (UCI, CC BY 4.0): {len(train.y)} train, {len(validation.y)} "
        f"validation, {len(test.y)} test utterances; {japanese_vowels.NUM_CLASSES} speakers."
    )
    kinds = ["biosyn_ltc"] + ([] if args.no_baseline else ["lstm"])
    results = {}
    models = {}
    for kind in kinds:
        keras.utils.set_random_seed(args.seed)
        model = recipes.sequence_classifier(
            recipes.recurrent_layer(kind, args.neurons, args.wiring, seed=args.seed),
            japanese_vowels.MAX_LENGTH,
            japanese_vowels.NUM_FEATURES,
            japanese_vowels.NUM_CLASSES,
            name=f"japanese_vowels_{kind}",
        )
        print(f"\nTraining {kind} ({args.neurons} neurons, {model.count_params()} parameters)")
        start = time.perf_counter()
        history = recipes.fit_classifier(
            model,
            train,
            validation,
            epochs=args.epochs,
            batch_size=args.batch_size,
            learning_rate=args.learning_rate,
            patience=args.patience,
            verbose=verbose,
        )
        seconds = time.perf_counter() - start
        _, accuracy = model.evaluate(test.x, test.y, verbose=0)
        models[kind] = model
        results[kind] = {
            "test_accuracy": float(accuracy),
            "parameters": int(model.count_params()),
            "epochs": len(history.history["loss"]),
            "train_seconds": round(seconds, 1),
        }

    print("\nTest accuracy on Japanese Vowels (370 utterances):")
    for kind, result in results.items():
        print(
            f"  {kind:<11} {args.neurons:>3} neurons  {result['parameters']:>6} parameters  "
            f"accuracy {result['test_accuracy']:.4f}  ({result['epochs']} epochs, "
            f"{result['train_seconds']} s)"
        )
    args.output_dir.mkdir(parents=True, exist_ok=True)
    artifacts = save_artifacts(models["biosyn_ltc"], splits, args.output_dir)
    manifest = {
        "task": "japanese_vowels",
        "dataset": "UCI Japanese Vowels, original test split (370 utterances)",
        "metric": "test_accuracy",
        "neurons": args.neurons,
        "wiring": args.wiring,
        "seed": args.seed,
        "results": results,
        "artifacts": artifacts,
    }
    path = args.output_dir / "manifest.json"
    path.write_text(json.dumps(manifest, indent=2) + "\n")
    print("\nSaved under " + str(args.output_dir) + ":")
    for artifact in artifacts:
        print(
            f"  {artifact['file']:<52} {artifact['size_bytes'] / 1024:7.1f} KB  "
            f"accuracy {artifact['test_accuracy']:.4f}"
        )
    return 0


def save_artifacts(model, splits, directory: Path) -> list[dict]:
    """Saves the model in every deployable form and measures each on the test split."""
    test = splits["test"]
    keras_path = directory / f"{STEM}.keras"
    model.save(keras_path)
    saved_model = export.export_saved_model(
        model, directory / f"{STEM}_savedmodel", overwrite=True
    )
    float32 = export.export_tflite(
        model, directory / f"{STEM}_streaming_float32.tflite", overwrite=True
    )
    int8 = export.export_tflite(
        model,
        directory / f"{STEM}_streaming_int8.tflite",
        quantization="int8",
        representative_data=export.calibration_samples(model, splits["train"].x[:64]),
        overwrite=True,
    )
    return [
        describe_artifact(keras_path, "keras", None, keras_accuracy(keras_path, test)),
        describe_artifact(
            saved_model, "saved_model", None, saved_model_accuracy(saved_model, test)
        ),
        describe_artifact(float32, "tflite_streaming", "float32", tflite_accuracy(float32, test)),
        describe_artifact(int8, "tflite_streaming", "int8", tflite_accuracy(int8, test)),
    ]


def keras_accuracy(path: Path, test) -> float:
    model = keras.models.load_model(path)
    return _accuracy(model.predict(test.x, verbose=0), test.y)


def saved_model_accuracy(path: Path, test) -> float:
    import tensorflow as tf

    loaded = tf.saved_model.load(str(path))  # keep a reference: it owns the variables
    return _accuracy(loaded.serve(test.x).numpy(), test.y)


def tflite_accuracy(path: Path, test) -> float:
    """Streaming on the device's terms: each utterance fed step by step, padding never fed."""
    return _accuracy(export.LiteRTModel(path).predict(test.x, test.length), test.y)


def _accuracy(probabilities, labels) -> float:
    return float(np.mean(np.argmax(probabilities, axis=-1) == labels))


def describe_artifact(path: Path, kind: str, quantization, accuracy: float) -> dict:
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    digest = hashlib.sha256()
    for file in files:
        digest.update(str(file.relative_to(path) if path.is_dir() else file.name).encode())
        digest.update(file.read_bytes())
    return {
        "file": path.name,
        "format": kind,
        "quantization": quantization,
        "size_bytes": sum(f.stat().st_size for f in files),
        "sha256": digest.hexdigest(),
        "test_accuracy": accuracy,
    }
