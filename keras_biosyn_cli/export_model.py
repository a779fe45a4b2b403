"""`keras-biosyn export`: SavedModel and builtin-only TFLite files of a saved model.

Writes `<name>_savedmodel/`, `<name>_<mode>_<quantization>.tflite` files and
`<name>_export.json` (the model set's manifest: sizes, SHA-256, ops, errors, device
profiles) into `--out`, all or nothing, and prints each file's size, the TFLite
ops it uses, its error against Keras in the LiteRT interpreter and its device
profile (and its test accuracy on the embedded dataset for models of
`keras-biosyn train`). int8 is calibrated on `--calibration` sequences, or on the
embedded training set for those models, and refused when it strays from float32.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from keras_biosyn_cli.common import (
    CommandError,
    add_export_layout_argument,
    add_force_argument,
    add_quantize_argument,
    check_output_directory,
    export_inputs,
    load_keras_model,
    write_model_set,
)

HELP = "export a saved model as SavedModel and TFLite (streaming/sequence, quantized)"


def add_arguments(parser: argparse.ArgumentParser):
    parser.add_argument("model", type=Path, metavar="MODEL", help="a .keras model file")
    parser.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="output directory (required)"
    )
    parser.add_argument(
        "--mode",
        choices=["streaming", "sequence", "both"],
        default="streaming",
        help="streaming: one step (x_t, state) -> (y_t, new_state), what a device runs; "
        "sequence: whole sequences of a fixed length; both",
    )
    add_quantize_argument(
        parser,
        None,
        "float32,int8 with --mode streaming, float32 otherwise; int8 is streaming-only",
    )
    parser.add_argument(
        "--inputs",
        type=Path,
        metavar="FILE.npy",
        help="a .npy of model inputs (N, time, features) for the parity check "
        "(the first few) and, without --calibration, int8 calibration "
        "(default: the embedded Japanese Vowels set when the model takes it, else random "
        "normal sequences for the parity check)",
    )
    parser.add_argument(
        "--calibration",
        type=Path,
        metavar="FILE.npy",
        help="a .npy of real model inputs (N, time, features) to calibrate int8 on "
        "(default: --inputs, else the embedded Japanese Vowels training set when the model "
        "takes it)",
    )
    add_export_layout_argument(parser)
    add_force_argument(parser)
    parser.add_argument("--overwrite", action="store_true", help="replace existing files")


def run(args: argparse.Namespace) -> int:
    modes = ["streaming", "sequence"] if args.mode == "both" else [args.mode]
    quantizations = args.quantize or (
        ["float32", "int8"] if modes == ["streaming"] else ["float32"]
    )
    if "int8" in quantizations and "sequence" in modes:
        raise CommandError(
            f"--quantize int8 is streaming-only (TensorFlow 2.21's converter crashes quantizing "
            f"the sequence loop): with --mode {args.mode} pass --quantize float32[,float16], "
            "or export int8 with --mode streaming"
        )
    check_output_directory(args.out, "--out")
    name = args.model.stem
    outputs = [f"{name}_savedmodel", f"{name}_export.json"] + [
        f"{name}_{mode}_{q}.tflite" for mode in modes for q in quantizations
    ]
    existing = [n for n in outputs if (args.out / n).exists()]
    if existing and not args.overwrite:
        raise CommandError(
            f"--out {str(args.out)!r} already holds {', '.join(existing)}: pass --overwrite to "
            "replace them"
        )
    model = load_keras_model(args.model)
    data = export_inputs(
        model, args.inputs, args.calibration, needs_calibration="int8" in quantizations
    )
    _check_exportable(model, modes, data)
    return _export(args, model, name, modes, quantizations, data)


def _check_exportable(model, modes, data):
    from keras_biosyn import export

    for mode in modes:
        try:
            length = data["evaluation"].x.shape[1]
            export.deployable_model(model, mode, sequence_length=length)
        except (ValueError, TypeError) as error:
            other = "sequence" if mode == "streaming" else "streaming"
            raise CommandError(
                f"--mode {mode}: the model cannot be exported this way: "
                f"{str(error).splitlines()[0]} (try --mode {other})"
            ) from None


def _export(args, model, name, modes, quantizations, data) -> int:
    from keras_biosyn.utils.files import staged_directory

    with staged_directory(args.out) as staging:
        manifest = write_model_set(
            model,
            staging,
            name,
            args.force,
            keras_file=False,
            tflite=[(mode, quantization) for mode in modes for quantization in quantizations],
            export_layout=args.export_layout,
            manifest_name=f"{name}_export.json",
            extra={"source": str(args.model)},
            **data,
        )
    print(
        f"Wrote {len(manifest['files']) + 1} outputs to {args.out} ({name}_export.json lists them)"
    )
    return 0
