"""`keras-biosyn prune`: a smaller copy of a saved model, its exports and a before/after report.

Removes the weakest synapses of the model's BioSynLTC layer (ranked by their
mean current on the data, or --importance) down to --keep of them, or as far
as the score drops by at most --max-drop, optionally fine-tuning between
rounds; writes `<name>_pruned.keras`, its SavedModel and TFLite files (as
`keras-biosyn export` does) and `<name>_prune.md` / `<name>_prune.json`
(synapse and parameter counts, score before and after) into --out, all or
nothing. Models that take the embedded Japanese Vowels set are measured on
its training split and scored on its test split; others need --data.
"""

from __future__ import annotations

import argparse
import json
import zipfile
from pathlib import Path

from keras_biosyn_cli.common import (
    CommandError,
    bounded,
    check_output_directory,
    comma_list,
    embedded_dataset_fits,
    load_keras_model,
)
from keras_biosyn_cli.export_model import add_force_argument, add_layout_argument

IMPORTANCES = ("current", "conductance", "magnitude", "random")
QUANTIZATIONS = ("float32", "float16", "int8")

HELP = "prune the weakest synapses of a saved model; write it, its exports and a report"


def add_arguments(parser: argparse.ArgumentParser):
    parser.add_argument("model", type=Path, metavar="MODEL", help="a .keras model file")
    parser.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="output directory (required)"
    )
    amount = parser.add_mutually_exclusive_group(required=True)
    amount.add_argument(
        "--keep",
        type=bounded(float, minimum=0.0, exclusive=True, maximum=1.0),
        metavar="FRACTION",
        help="fraction of the synapses to keep, in (0, 1] (no default: give --keep or --max-drop)",
    )
    amount.add_argument(
        "--max-drop",
        type=bounded(float, minimum=0.0),
        metavar="D",
        help="prune as far as the score (the model's first metric, else its loss) drops by "
        "at most D on the scoring data (no default: give --keep or --max-drop)",
    )
    parser.add_argument(
        "--fine-tune-epochs",
        type=bounded(int, minimum=1),
        metavar="N",
        help="fit N epochs after each of the pruning rounds (needs the model's compile "
        "config, which model.save keeps; default: no fine-tuning)",
    )
    parser.add_argument(
        "--importance",
        choices=IMPORTANCES,
        default="current",
        help="how synapses are ranked: mean |current| or mean conductance on the data, "
        "|w|, or at random",
    )
    parser.add_argument(
        "--data",
        type=Path,
        metavar="FILE.npz",
        help="arrays x (N, time, features) and y (labels) to measure, score and fine-tune on "
        "(default: the embedded Japanese Vowels set when the model takes it)",
    )
    parser.add_argument(
        "--layer",
        metavar="NAME",
        help="the BioSynLTC layer to prune (default: the model's only one)",
    )
    parser.add_argument(
        "--quantize",
        type=comma_list(QUANTIZATIONS),
        default=["float32"],
        metavar="LIST",
        help="TFLite files to write, comma-separated among float32, float16, int8 "
        "(default: float32)",
    )
    add_layout_argument(parser)
    add_force_argument(parser)
    parser.add_argument(
        "--keep-neurons",
        action="store_true",
        help="keep the neurons that no longer reach an output neuron (default: remove them; "
        "the outputs do not change)",
    )
    parser.add_argument("--seed", type=bounded(int, minimum=0), default=0, help="tie-break seed")
    parser.add_argument("--overwrite", action="store_true", help="replace existing files")


def run(args: argparse.Namespace) -> int:
    check_output_directory(args.out, "--out")
    name = args.model.stem
    outputs = [
        f"{name}_pruned.keras",
        f"{name}_pruned_savedmodel",
        f"{name}_pruned_export.json",
        f"{name}_prune.md",
        f"{name}_prune.json",
    ] + [f"{name}_pruned_streaming_{q}.tflite" for q in args.quantize]
    existing = [n for n in outputs if (args.out / n).exists()]
    if existing and not args.overwrite:
        raise CommandError(
            f"--out {str(args.out)!r} already holds {', '.join(existing)}: pass --overwrite to "
            "replace them"
        )
    model = load_keras_model(args.model)
    compiled = _compile_as_saved(model, args.model)
    data = _data(args, model)
    if (args.fine_tune_epochs or args.max_drop is not None) and not compiled:
        flag = "--fine-tune-epochs" if args.fine_tune_epochs else "--max-drop"
        raise CommandError(
            f"{flag} needs the model's loss, and {str(args.model)!r} holds no compile config "
            "(save a compiled model)"
        )
    result = _prune(args, model, data)
    return _write(args, name, model, result, data)


def _compile_as_saved(model, path: Path) -> bool:
    """Compiles `model` as the file's compile config says; False when it holds none."""
    with zipfile.ZipFile(path) as archive:
        config = json.loads(archive.read("config.json"))
    compile_config = config.get("compile_config")
    if not compile_config:
        return False
    model.compile_from_config(compile_config)
    return True


def _data(args, model) -> dict:
    """`measure` (importance, fine-tuning) and `score` data as `(x, y)`, and their sources."""
    import numpy as np

    if args.data is not None:
        if not args.data.is_file():
            raise CommandError(f"--data: no such file: {str(args.data)!r}")
        try:
            with np.load(args.data, allow_pickle=False) as arrays:
                x, y = arrays["x"], arrays["y"]
        except (ValueError, OSError, KeyError, zipfile.BadZipFile) as error:
            raise CommandError(
                f"--data: expected a .npz holding arrays x and y. Received: {str(args.data)!r} "
                f"({str(error).splitlines()[0] if str(error) else type(error).__name__})"
            ) from None
        expected = tuple(model.inputs[0].shape[1:])
        fits = x.ndim == 3 and all(
            e is None or e == d for e, d in zip(expected, x.shape[1:], strict=True)
        )
        if not fits or len(x) == 0 or len(y) != len(x):
            shape = ", ".join("T" if e is None else str(e) for e in expected)
            raise CommandError(
                f"--data: expected x of shape (N, {shape}) with N >= 1 and N labels y. "
                f"Received: x of shape {x.shape} and y of shape {y.shape}"
            )
        pair = (x.astype("float32"), y)
        source = f"--data {args.data}"
        return {"measure": pair, "score": pair, "measure_source": source, "score_source": source}
    if not embedded_dataset_fits(model):
        shape = tuple(model.inputs[0].shape[1:])
        raise CommandError(
            f"the model takes inputs of shape {shape}, not the embedded Japanese Vowels set: "
            "pass --data FILE.npz with arrays x and y"
        )
    from keras_biosyn.datasets import japanese_vowels

    splits = japanese_vowels.load_japanese_vowels()
    train, test = splits["train"], splits["test"]
    return {
        "measure": (train.x, train.y),
        "score": (test.x, test.y),
        "measure_source": "the Japanese Vowels training split",
        "score_source": "the Japanese Vowels test split",
        "test": test,
    }


def _prune(args, model, data):
    from keras_biosyn.interpretability import select_layer
    from keras_biosyn.pruning import evaluate_score, prune

    try:
        select_layer(model, args.layer)
    except (ValueError, TypeError) as error:
        flag = "--layer" if args.layer else "MODEL"
        raise CommandError(f"{flag}: {str(error).splitlines()[0]}") from None
    result = prune(
        model,
        data["measure"],
        keep=args.keep,
        max_drop=args.max_drop,
        layer=args.layer,
        fine_tune=args.fine_tune_epochs,
        importance=args.importance,
        seed=args.seed,
        remove_neurons=not args.keep_neurons,
    )
    scores = {}
    if getattr(model, "compiled", False):
        for key, which in (("before", model), ("after", result.model)):
            scores[key] = evaluate_score(which, *data["score"])
    return result, scores


def _write(args, name, model, pruned, data) -> int:
    from keras_biosyn.utils.files import staged_directory, write_file_atomically
    from keras_biosyn_cli.export_model import export_data, write_exports

    result, scores = pruned
    if args.data is None:
        no_files = argparse.Namespace(inputs=None, calibration=None)
        exports = export_data(no_files, result.model, "int8" in args.quantize)
    else:
        exports = {
            "check": data["score"][0][:4],
            "check_source": data["score_source"],
            "labels": None,
            "lengths": None,
            "calibration": data["measure"][0][:64],
            "calibration_source": f"the first 64 sequences of {data['measure_source']}",
        }
    report = {
        "model": str(args.model),
        "pruned_model": f"{name}_pruned.keras",
        "measured_on": data["measure_source"],
        "scored_on": data["score_source"],
        **result.to_dict(),
        "fine_tune_epochs": args.fine_tune_epochs,
        "score_before": _score(scores.get("before")),
        "score_after": _score(scores.get("after")),
        "keras_bytes_before": args.model.stat().st_size,
    }
    with staged_directory(args.out) as staging:
        path = staging / f"{name}_pruned.keras"
        result.model.save(path)
        report["keras_bytes_after"] = path.stat().st_size
        export_report = write_exports(
            result.model,
            staging,
            f"{name}_pruned",
            ["streaming"],
            args.quantize,
            exports,
            str(path.name),
            args.synapse_layout,
            force=args.force,
        )
        report["exports"] = [
            {
                key: entry[key]
                for key in (
                    "file",
                    "size_bytes",
                    "parity",
                    "synapse_layout",
                    "litert_microseconds",
                )
                if key in entry
            }
            for entry in export_report["files"]
            if "size_bytes" in entry
        ]
        write_file_atomically(
            staging / f"{name}_prune.json", (json.dumps(report, indent=2) + "\n").encode()
        )
        markdown = markdown_report(report)
        write_file_atomically(staging / f"{name}_prune.md", markdown.encode())
    print(markdown, end="")
    print(f"Wrote the pruned model, its exports and {name}_prune.md/.json to {args.out}")
    return 0


def _score(score):
    return None if score is None else vars(score).copy()


def markdown_report(report: dict) -> str:
    """The before/after table of a `keras-biosyn prune` report, as Markdown.

    Example:

    ```python
    print(markdown_report(json.loads(Path("out/model_prune.json").read_text())))
    ```
    """
    rows = [
        ("neurons", *report["units"]),
        ("synapses (recurrent + sensory)", report["synapses_before"], report["synapses_after"]),
        ("recurrent synapses", *report["recurrent_synapses"]),
        ("sensory synapses", *report["sensory_synapses"]),
        ("active parameters", report["parameters_before"], report["parameters_after"]),
        (".keras bytes", report["keras_bytes_before"], report["keras_bytes_after"]),
    ]
    before, after = report["score_before"], report["score_after"]
    if before is not None and after is not None:
        rows.append((f"{before['name']} ({report['scored_on']})", before["value"], after["value"]))
    lines = [
        f"# Pruning {report['model']}",
        "",
        f"Layer `{report['layer']}`, synapses ranked by {report['importance']} on "
        f"{report['measured_on']}; {100 * report['keep']:.1f} % kept"
        + (
            f", {report['fine_tune_epochs']} fine-tuning epochs per round"
            if report["fine_tune_epochs"]
            else ""
        )
        + f"; the pruned cell computes in the {report['synapse_layout']} layout.",
        "",
        "| | before | after |",
        "| --- | ---: | ---: |",
    ]
    for label, first, second in rows:
        lines.append(f"| {label} | {_cell(first)} | {_cell(second)} |")
    isolated = report["isolated_neurons"]
    lines += [
        "",
        f"Neurons left without inputs or outputs: {', '.join(map(str, isolated)) or 'none'}.",
        "Removed (no path to an output neuron, outputs unchanged): "
        f"{', '.join(map(str, report['removed_neurons'])) or 'none'}.",
    ]
    for entry in report.get("exports", []):
        parity = entry.get("parity") or {}
        error = f", max error vs Keras {parity['max_abs_error']:.1e}" if parity else ""
        layout = f", {entry['synapse_layout']} layout" if "synapse_layout" in entry else ""
        lines.append(f"- `{entry['file']}`: {entry['size_bytes']} bytes{layout}{error}")
    return "\n".join(lines) + "\n"


def _cell(value) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)
