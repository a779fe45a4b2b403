"""`keras-biosyn train`: the main job.

Trains a BioSynLTC classifier on the embedded Japanese Vowels set, trains an
LSTM with the same number of neurons on the same budget, prints both test
accuracies and saves the BioSynLTC model (and a small JSON record of the run)
under `--output-dir`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import keras

from keras_biosyn import recipes
from keras_biosyn.datasets import japanese_vowels


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
    path = args.output_dir / "japanese_vowels_biosyn_ltc.keras"
    models["biosyn_ltc"].save(path)
    record = {
        "task": "japanese_vowels",
        "metric": "test_accuracy",
        "neurons": args.neurons,
        "wiring": args.wiring,
        "seed": args.seed,
        "results": results,
        "model_file": path.name,
    }
    path.with_suffix(".json").write_text(json.dumps(record, indent=2) + "\n")
    print(f"\nSaved {path} and {path.with_suffix('.json').name}")
    return 0
