"""`keras-biosyn export`: SavedModel and builtin-only TFLite files of a saved model.

Writes `<name>_savedmodel/` and `<name>_<mode>_<quantization>.tflite` files,
and prints each file's size, the TFLite ops it uses and its error against
Keras measured in the LiteRT interpreter.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from keras_biosyn import export
from keras_biosyn.cli.common import load_model_file
from keras_biosyn.datasets import japanese_vowels

QUANTIZATIONS = {"float32": None, "float16": "float16", "int8": "int8"}


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "export",
        help="export a saved model as SavedModel and TFLite (streaming/sequence, quantized)",
        description=__doc__.split("\n\n")[1].replace("\n", " "),
    )
    parser.add_argument("model", type=Path, help="a .keras file")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--mode", choices=["streaming", "sequence", "both"], default="streaming")
    parser.add_argument(
        "--quantize",
        default="float32,int8",
        help="comma-separated: float32, float16, int8 (default float32,int8)",
    )
    parser.add_argument(
        "--inputs",
        type=Path,
        help="a .npy of model inputs (batch, time, features) for int8 calibration and the "
        "parity check; default: the embedded Japanese Vowels set when the shapes match, "
        "else random normal sequences",
    )
    parser.add_argument("--overwrite", action="store_true", help="replace existing files")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    quantizations = [q.strip() for q in args.quantize.split(",") if q.strip()]
    unknown = sorted(set(quantizations) - set(QUANTIZATIONS))
    if unknown or not quantizations:
        raise SystemExit(f"--quantize takes {sorted(QUANTIZATIONS)}, got {args.quantize!r}")
    model = load_model_file(args.model)
    calibration, check = _data(args, model)
    args.out.mkdir(parents=True, exist_ok=True)
    name = args.model.stem
    saved_model = export.export_saved_model(
        model, args.out / f"{name}_savedmodel", overwrite=args.overwrite
    )
    print(f"{saved_model}: {_size(saved_model) / 1024:.1f} KB (SavedModel, serve endpoint)")
    modes = ["streaming", "sequence"] if args.mode == "both" else [args.mode]
    for mode in modes:
        for quantization in quantizations:
            if mode == "sequence" and quantization == "int8":
                print("sequence mode: int8 skipped (streaming only, see export_tflite)")
                continue
            path = args.out / f"{name}_{mode}_{quantization}.tflite"
            samples = None
            if quantization == "int8":
                samples = export.calibration_samples(model, calibration)
            export.export_tflite(
                model,
                path,
                mode=mode,
                sequence_length=check.shape[1] if mode == "sequence" else None,
                quantization=QUANTIZATIONS[quantization],
                representative_data=samples,
                overwrite=args.overwrite,
            )
            report = export.compare(model, path, check)
            unit = "steps" if mode == "streaming" else "sequences"
            print(
                f"{path}: {path.stat().st_size / 1024:.1f} KB, ops {export.tflite_ops(path)}\n"
                f"  vs Keras over {report['steps']} {unit}: "
                f"max error {report['max_abs_error']:.2e}, mean {report['mean_abs_error']:.2e} "
                f"(output std {report['output_std']:.2e})"
            )
    return 0


def _data(args, model):
    """(calibration sequences, parity-check sequences)."""
    shape = tuple(model.inputs[0].shape[1:])
    if args.inputs is not None:
        data = np.asarray(np.load(args.inputs), np.float32)
        return data, data[:4]
    if shape == (japanese_vowels.MAX_LENGTH, japanese_vowels.NUM_FEATURES):
        splits = japanese_vowels.load_japanese_vowels()
        return splits["train"].x[:64], splits["test"].x[:4]
    steps = shape[0] or 100
    rng = np.random.default_rng(0)
    data = rng.normal(size=(64, steps, shape[-1])).astype(np.float32)
    return data, data[:4]


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
