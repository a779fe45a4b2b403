"""`keras-biosyn export`: SavedModel and builtin-only TFLite files of a saved model.

Writes `<name>_savedmodel/`, `<name>_<mode>_<quantization>.tflite` files and
`<name>_export.json` (sizes, SHA-256, ops, errors) into `--out`, all or nothing,
and prints each file's size, the TFLite ops it uses and its error against
Keras in the LiteRT interpreter (and its test accuracy on the embedded
dataset for models of `keras-biosyn train`). int8 is calibrated on
`--calibration` sequences, or on the embedded training set for those models.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from keras_biosyn_cli.common import (
    CommandError,
    check_output_directory,
    comma_list,
    embedded_dataset_fits,
    load_keras_model,
    load_sequences,
)

QUANTIZATIONS = ("float32", "float16", "int8")
PARITY_SEQUENCES = 4


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
    parser.add_argument(
        "--quantize",
        type=comma_list(QUANTIZATIONS),
        default=None,
        metavar="LIST",
        help="comma-separated among float32, float16, int8; int8 is streaming-only "
        "(default: float32,int8 with --mode streaming, float32 otherwise)",
    )
    parser.add_argument(
        "--inputs",
        type=Path,
        metavar="FILE.npy",
        help="a .npy of model inputs (N, time, features) for the parity check "
        f"(the first {PARITY_SEQUENCES}) and, without --calibration, int8 calibration "
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
    add_layout_argument(parser)
    add_force_argument(parser)
    parser.add_argument("--overwrite", action="store_true", help="replace existing files")


def add_force_argument(parser: argparse.ArgumentParser):
    """`--force`, shared by `export` and `prune`."""
    parser.add_argument(
        "--force",
        action="store_true",
        help="write an int8 file even when it is further from float32 on the calibration "
        "inputs than the tolerance (int8 changes at most 2 %% of a classifier's predicted "
        "classes, or errs by at most 10 %% of the outputs' spread)",
    )


SYNAPSE_LAYOUTS = ("dense", "model", "fastest")


def add_layout_argument(parser: argparse.ArgumentParser):
    """`--synapse-layout`, shared by `export` and `prune`."""
    parser.add_argument(
        "--synapse-layout",
        choices=SYNAPSE_LAYOUTS,
        default="dense",
        help="how the .tflite files compute synapses: dense (runs on TFLite Micro), model "
        "(each cell's own layout: a sparse cell stores only its synapses) or fastest (both "
        "converted and timed in LiteRT here, the faster kept)",
    )


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
    data = export_data(args, model, needs_calibration="int8" in quantizations)
    _check_exportable(model, modes, data)
    return _export(args, model, name, modes, quantizations, data)


def _check_exportable(model, modes, data):
    from keras_biosyn import export

    for mode in modes:
        try:
            export.deployable_model(model, mode, sequence_length=data["check"].shape[1])
        except (ValueError, TypeError) as error:
            other = "sequence" if mode == "streaming" else "streaming"
            raise CommandError(
                f"--mode {mode}: the model cannot be exported this way: "
                f"{str(error).splitlines()[0]} (try --mode {other})"
            ) from None


def export_data(args, model, needs_calibration: bool) -> dict:
    """Parity-check sequences (and labels when known) and int8 calibration sequences.

    Reads `args.inputs` and `args.calibration` (paths or `None`); without them, the
    embedded Japanese Vowels set when `model` takes it, else random sequences.
    """
    import numpy as np

    data = {"labels": None, "lengths": None, "calibration": None}
    if args.inputs is not None:
        inputs = load_sequences(args.inputs, "--inputs", model)
        data["check"], data["check_source"] = inputs[:PARITY_SEQUENCES], str(args.inputs)
        data["calibration"], data["calibration_source"] = inputs, f"--inputs {args.inputs}"
    elif embedded_dataset_fits(model):
        from keras_biosyn.datasets import japanese_vowels

        splits = japanese_vowels.load_japanese_vowels()
        test = splits["test"]
        data["check"], data["check_source"] = test.x, "the Japanese Vowels test split"
        data["labels"], data["lengths"] = test.y, test.length
        data["calibration"] = splits["train"].x[:64]
        data["calibration_source"] = "the first 64 Japanese Vowels training utterances"
    else:
        shape = tuple(model.inputs[0].shape[1:])
        steps = shape[0] or 100
        rng = np.random.default_rng(0)
        data["check"] = rng.normal(size=(PARITY_SEQUENCES, steps, shape[-1])).astype("float32")
        data["check_source"] = "random normal sequences (no --inputs given)"
    if args.calibration is not None:
        data["calibration"] = load_sequences(args.calibration, "--calibration", model)
        data["calibration_source"] = f"--calibration {args.calibration}"
    if needs_calibration and data["calibration"] is None:
        raise CommandError(
            "--quantize int8 calibrates on real inputs, and this model does not take the "
            "embedded dataset: pass --calibration FILE.npy (training sequences shaped "
            "(N, time, features)), or leave int8 out with --quantize float32"
        )
    return data


def _export(args, model, name, modes, quantizations, data) -> int:
    from keras_biosyn.utils.files import staged_directory

    with staged_directory(args.out) as staging:
        report = write_exports(
            model,
            staging,
            name,
            modes,
            quantizations,
            data,
            str(args.model),
            args.synapse_layout,
            force=args.force,
        )
    print(
        f"Wrote {len(report['files']) + 1} outputs to {args.out} ({name}_export.json lists them)"
    )
    return 0


def write_exports(
    model,
    directory,
    name,
    modes,
    quantizations,
    data,
    source: str,
    synapse_layout="dense",
    force: bool = False,
) -> dict:
    """Writes `model`'s SavedModel, TFLite files and `<name>_export.json` into `directory`.

    What `keras-biosyn export` writes (other commands, such as `prune`, reuse it),
    printing each file's size, ops and parity; `directory` is a staging directory
    the caller publishes all or nothing.

    Args:
        model: The Keras model.
        directory: Where to write (a `Path`).
        name: Stem of the file names.
        modes: TFLite modes (`"streaming"`, `"sequence"`).
        quantizations: Among `QUANTIZATIONS`.
        data: The parity and calibration data, as `export_data` returns it.
        source: How the report names the model (its file).
        synapse_layout: `"dense"`, `"model"` or `"fastest"` (see `export_tflite`).
        force: Write an int8 file even when `int8_agreement` finds it outside
            `INT8_TOLERANCE` on the calibration sequences (otherwise a
            `CommandError` stops the export, and the caller's staging
            directory, hence nothing, is published).

    Returns:
        The report written as `<name>_export.json`.

    Example:

    ```python
    with staged_directory(out) as staging:
        write_exports(model, staging, "model", ["streaming"], ["float32"], data, "model.keras")
    ```
    """
    from keras_biosyn import export
    from keras_biosyn.artifacts import artifact_accuracy
    from keras_biosyn.datasets import Split
    from keras_biosyn.utils.files import file_checksums, write_file_atomically

    report = {"model": source, "parity_inputs": data["check_source"], "files": []}
    labelled = data["labels"] is not None
    if labelled:
        keras_accuracy = float(
            (model.predict(data["check"], verbose=0).argmax(-1) == data["labels"]).mean()
        )
        report["keras_test_accuracy"] = keras_accuracy
        print(f"{source}: test accuracy in Keras {keras_accuracy:.4f} ({data['check_source']})")
    saved_model = export.export_saved_model(model, directory / f"{name}_savedmodel")
    files = file_checksums(saved_model, directory)
    size = sum(f["size_bytes"] for f in files)
    report["files"].append({"file": saved_model.name, "format": "saved_model", "files": files})
    print(f"{saved_model.name}: {size / 1024:.1f} KB (SavedModel, serve endpoint)")
    for mode in modes:
        for quantization in quantizations:
            path = directory / f"{name}_{mode}_{quantization}.tflite"
            calibration = data["calibration"] if quantization == "int8" else None
            if calibration is not None:
                print(
                    f"{path.name}: calibrating int8 on closed-loop steps of "
                    f"{len(calibration)} sequences from {data['calibration_source']}"
                )
            options = {
                "mode": mode,
                "sequence_length": data["check"].shape[1] if mode == "sequence" else None,
                "quantization": None if quantization == "float32" else quantization,
                "representative_data": calibration,
            }
            layout, timings = synapse_layout, None
            if layout == "fastest":
                # the chosen file is already converted: write its bytes, not a second conversion
                choice = export.fastest_synapse_layout(model, **options)
                layout, timings = choice.layout, choice.microseconds or None
                write_file_atomically(path, choice.flatbuffer)
            else:
                export.export_tflite(model, path, synapse_layout=layout, **options)
            entry = {
                "file": path.name,
                "format": f"tflite_{mode}",
                "quantization": quantization,
                "synapse_layout": layout,
                **({"litert_microseconds": timings} if timings else {}),
                **file_checksums(path, directory)[0],
                "ops": export.tflite_ops(path),
            }
            lengths = data["lengths"]
            entry["parity"] = export.compare(
                model,
                path,
                data["check"][:PARITY_SEQUENCES],
                None if lengths is None or mode == "sequence" else lengths[:PARITY_SEQUENCES],
            )
            profile, agreement = export.device_profile(path), None
            entry["device_profile"] = profile.to_dict()
            if quantization == "int8":
                entry["calibration"] = data["calibration_source"]
                agreement = export.int8_agreement(model, path, calibration)
                entry["int8_agreement"] = agreement.to_dict()
                _check_int8(path.name, agreement, data["calibration_source"], force)
            if labelled:
                split = Split(data["check"], data["lengths"], data["labels"])
                entry["test_accuracy"] = artifact_accuracy(path, entry["format"], split)
            report["files"].append(entry)
            _print_entry(entry, mode, profile, agreement)
    text = json.dumps(report, indent=2) + "\n"
    write_file_atomically(directory / f"{name}_export.json", text.encode())
    return report


def _print_entry(entry: dict, mode: str, profile, agreement=None):
    parity = entry["parity"]
    unit = "steps" if mode == "streaming" else "sequences"
    accuracy = f", test accuracy {entry['test_accuracy']:.4f}" if "test_accuracy" in entry else ""
    timings = entry.get("litert_microseconds")
    if timings:
        measured = ", ".join(f"{name} {value:.1f} µs" for name, value in timings.items())
        print(f"{entry['file']}: synapse layout {entry['synapse_layout']} ({measured} per step)")
    print(
        f"{entry['file']}: {entry['size_bytes'] / 1024:.1f} KB, ops {', '.join(entry['ops'])}\n"
        f"  vs Keras over {parity['steps']} {unit}: max error {parity['max_abs_error']:.2e}, "
        f"mean {parity['mean_abs_error']:.2e} (output std {parity['output_std']:.2e})"
        f"{accuracy}"
    )
    print(f"  on a device: {profile.summary()}")
    if agreement is not None:
        verdict = "within tolerance" if agreement.within_tolerance else "WRITTEN WITH --force"
        print(f"  against float32 on the calibration inputs: {agreement.summary()}, {verdict}")


def _check_int8(file: str, agreement, source: str, force: bool):
    """Stops the export when the int8 file is outside the tolerance, unless `force`."""
    if agreement.within_tolerance or force:
        return
    raise CommandError(
        f"{file}: {agreement.summary()} on {source}: calibrate on more inputs like the "
        "device's with --calibration FILE.npy, keep float32 (--quantize float32), or write "
        "it anyway with --force"
    )
