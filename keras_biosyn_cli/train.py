"""`keras-biosyn train`: the main job.

Trains a BioSynLTC classifier on the embedded Japanese Vowels set, trains an
LSTM with the same number of neurons on the same budget, prints both test
accuracies and saves the BioSynLTC model under `--output-dir` as `.keras`,
SavedModel and streaming TFLite (float32 and int8), with the learning curves
of both models (JSON and PNG) and a manifest of each file's test accuracy,
size and SHA-256. The set is built in a temporary directory beside
`--output-dir` and moved into place only when complete.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from keras_biosyn_cli.common import (
    CommandError,
    bounded,
    check_output_directory,
    print_measured,
)

STEM = "japanese_vowels_biosyn_ltc"
CURVES = "japanese_vowels_learning_curves"
MANIFEST = "manifest.json"
# keras_biosyn.recipes.WIRINGS, named here so that --help needs no TensorFlow (a test checks).
WIRINGS = ("fully_connected", "auto_ncp", "random")


HELP = "train a BioSynLTC model on the embedded dataset (the main job)"


def add_arguments(parser: argparse.ArgumentParser):
    parser.add_argument("--neurons", metavar="N", type=bounded(int, 1), default=16, help="neurons")
    parser.add_argument("--wiring", choices=WIRINGS, default="fully_connected", help="wiring")
    parser.add_argument(
        "--epochs", metavar="N", type=bounded(int, 1), default=60, help="maximum epochs"
    )
    parser.add_argument(
        "--batch-size", metavar="N", type=bounded(int, 1), default=32, help="batch size"
    )
    parser.add_argument(
        "--learning-rate",
        metavar="LR",
        type=bounded(float, 0, exclusive=True),
        default=0.01,
        help="Adam's",
    )
    parser.add_argument(
        "--patience",
        metavar="N",
        type=bounded(int, 1),
        default=15,
        help="early-stopping patience in epochs",
    )
    parser.add_argument("--seed", metavar="N", type=bounded(int, 0), default=0, help="random seed")
    parser.add_argument(
        "--output-dir",
        type=Path,
        metavar="DIR",
        default=Path("saved_models"),
        help="where the model set is saved; an earlier set there is replaced",
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip the LSTM comparison")
    parser.add_argument(
        "--verbose",
        type=int,
        choices=[0, 1, 2],
        default=None,
        help="Keras progress: 0 none, 1 bars, 2 one line per epoch "
        "(default: 1 on a terminal, else 2)",
    )


def run(args: argparse.Namespace) -> int:
    from keras_biosyn.utils.backend import require_backend

    check_output_directory(args.output_dir, "--output-dir")
    try:
        # The job ends by exporting SavedModel and TFLite files: say so before training.
        require_backend("keras-biosyn train (it exports SavedModel and TFLite files)")
    except RuntimeError as error:
        raise CommandError(str(error)) from None
    from keras_biosyn import recipes

    try:
        recipes.wiring_by_name(args.wiring, args.neurons, seed=args.seed)
    except ValueError as error:
        raise CommandError(
            f"argument --neurons: {args.neurons} neurons cannot make a {args.wiring} wiring "
            f"({error})"
        ) from None
    return _train_and_save(args)


def _train_and_save(args) -> int:
    import keras

    from keras_biosyn.benchmarking import benchmark_layer
    from keras_biosyn.datasets import japanese_vowels
    from keras_biosyn.learning_curves import learning_curves, save_learning_curves
    from keras_biosyn.model_set import write_model_set
    from keras_biosyn.utils.files import file_checksums, staged_directory
    from keras_biosyn_cli.presets import fit_classifier, sequence_classifier

    verbose = args.verbose if args.verbose is not None else (1 if sys.stdout.isatty() else 2)
    splits = japanese_vowels.load_japanese_vowels(seed=args.seed)
    train, validation, test = splits["train"], splits["validation"], splits["test"]
    print(
        f"Japanese Vowels (UCI, CC BY 4.0): {len(train.y)} train, {len(validation.y)} "
        f"validation, {len(test.y)} test utterances; {japanese_vowels.NUM_CLASSES} speakers."
    )
    kinds = ["biosyn_ltc"] + ([] if args.no_baseline else ["lstm"])
    results, models, histories = {}, {}, {}
    for kind in kinds:
        keras.utils.set_random_seed(args.seed)
        model = sequence_classifier(
            benchmark_layer(kind, args.neurons, args.wiring, seed=args.seed),
            japanese_vowels.MAX_LENGTH,
            japanese_vowels.NUM_FEATURES,
            japanese_vowels.NUM_CLASSES,
            name=f"japanese_vowels_{kind}",
        )
        print(f"\nTraining {kind} ({args.neurons} neurons, {model.count_params()} parameters)")
        start = time.perf_counter()
        histories[kind] = fit_classifier(
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
            "epochs": len(histories[kind].history["loss"]),
            "train_seconds": round(seconds, 1),
        }

    print(f"\nTest accuracy on Japanese Vowels ({len(test.y)} utterances):")
    for kind, result in results.items():
        print(
            f"  {kind:<11} {args.neurons:>3} neurons  {result['parameters']:>6} parameters  "
            f"accuracy {result['test_accuracy']:.4f}  ({result['epochs']} epochs, "
            f"{result['train_seconds']} s)"
        )
    print("\nSaving and checking each form (Keras, SavedModel, LiteRT float32 and int8)...")
    previous = _previous_outputs(args.output_dir)
    with staged_directory(args.output_dir, remove=previous) as staging:
        curves = learning_curves(histories)
        json_path, png_path = save_learning_curves(
            curves,
            staging / f"{CURVES}.json",
            staging / f"{CURVES}.png",
            title=f"Japanese Vowels, {args.neurons} neurons ({args.wiring})",
        )
        training = {
            "task": "japanese_vowels",
            "dataset": "UCI Japanese Vowels, original test split (370 utterances)",
            "metric": "test_accuracy",
            "neurons": args.neurons,
            "wiring": args.wiring,
            "seed": args.seed,
            "command": "keras-biosyn " + " ".join(args.argv),
            "results": results,
            "learning_curves": [
                *file_checksums(json_path, staging),
                *file_checksums(png_path, staging),
            ],
        }
        # An int8 file outside the tolerance is kept and said so (the manifest records its
        # agreement): a training run never ends in an error after the training.
        manifest = write_model_set(
            models["biosyn_ltc"],
            staging,
            STEM,
            evaluation=test,
            evaluation_source="the Japanese Vowels test split",
            calibration=train.x[:64],
            calibration_source="the first 64 Japanese Vowels training utterances",
            force=True,
            manifest_name=MANIFEST,
            extra=training,
            on_file=print_measured,
        )
    print(f"\nSaved under {args.output_dir}:")
    for entry in manifest["files"]:
        print(
            f"  {entry['file']:<52} {entry['size_bytes'] / 1024:7.1f} KB  "
            f"accuracy {entry['test_accuracy']:.4f}"
        )
    for name in (f"{CURVES}.json", f"{CURVES}.png", MANIFEST):
        print(f"  {name}")
    return 0


def _previous_outputs(directory: Path) -> list[str]:
    """Entries named by an earlier manifest in `directory` (replaced or removed as a set)."""
    path = directory / MANIFEST
    try:
        manifest = json.loads(path.read_text())
        # "files" since one manifest format serves every command ("artifacts" before)
        names = [a["file"] for a in manifest.get("files", manifest.get("artifacts", []))]
        names += [f["file"] for f in manifest.get("learning_curves", [])]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return []
    # only plain names inside the directory, never a path that leads elsewhere
    return [n for n in names if isinstance(n, str) and n and Path(n).name == n]
