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
    add_export_layout_argument,
    add_force_argument,
    add_quantize_argument,
    bounded,
    check_output_directory,
    checked_inputs,
    embedded_dataset_fits,
    export_inputs,
    load_keras_model,
    write_model_set,
)

IMPORTANCES = ("current", "conductance", "magnitude", "random")

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
    add_quantize_argument(parser, ["float32"], "float32")
    add_export_layout_argument(parser)
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
    data = _data(args, model)
    if (args.fine_tune_epochs or args.max_drop is not None) and not model.compiled:
        flag = "--fine-tune-epochs" if args.fine_tune_epochs else "--max-drop"
        raise CommandError(
            f"{flag} needs the model's loss, and {str(args.model)!r} holds no compile config "
            "(save a compiled model)"
        )
    result = _prune(args, model, data)
    return _write(args, name, model, result, data)


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
        x = checked_inputs(x, model, "x in --data")
        if len(y) != len(x):
            raise CommandError(
                f"--data: expected one label y per sequence x. Received: {len(x)} sequences "
                f"and {len(y)} labels"
            )
        pair = (x, y)
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
    if model.compiled:
        for key, which in (("before", model), ("after", result.model)):
            scores[key] = evaluate_score(which, *data["score"])
    return result, scores


def _write(args, name, model, pruned, data) -> int:
    from keras_biosyn.datasets import Split
    from keras_biosyn.utils.files import staged_directory, write_file_atomically

    result, scores = pruned
    if args.data is None:
        exports = export_inputs(result.model, needs_calibration="int8" in args.quantize)
    else:
        x, y = data["score"]
        exports = {
            "evaluation": Split(x, None, y),
            "evaluation_source": data["score_source"],
            "calibration": data["measure"][0][:64],
            "calibration_source": f"the first 64 sequences of {data['measure_source']}",
        }
    report = {
        "model": str(args.model),
        "pruned_model": f"{name}_pruned.keras",
        "measured_on": data["measure_source"],
        **result.to_dict(),
        "fine_tune_epochs": args.fine_tune_epochs,
        # the library scores on the data it measured; these are on the scoring data
        "scored_on": data["score_source"],
        "test_score_before": _score(scores.get("before")),
        "test_score_after": _score(scores.get("after")),
        "keras_bytes_before": args.model.stat().st_size,
        "model_set": f"{name}_pruned_export.json",
    }
    with staged_directory(args.out) as staging:
        model_set = write_model_set(
            result.model,
            staging,
            f"{name}_pruned",
            args.force,
            tflite=[("streaming", quantization) for quantization in args.quantize],
            export_layout=args.export_layout,
            manifest_name=f"{name}_pruned_export.json",
            extra={"source": str(args.model)},
            **exports,
        )
        report["keras_bytes_after"] = model_set["files"][0]["size_bytes"]
        report["exports"] = [
            {key: entry[key] for key in ("file", "size_bytes", "parity", "export_layout")}
            | _timings(entry)
            for entry in model_set["files"]
            if entry["format"].startswith("tflite")
        ]
        write_file_atomically(
            staging / f"{name}_prune.json", (json.dumps(report, indent=2) + "\n").encode()
        )
        markdown = markdown_report(report)
        write_file_atomically(staging / f"{name}_prune.md", markdown.encode())
    print(markdown, end="")
    print(f"Wrote the pruned model, its exports and {name}_prune.md/.json to {args.out}")
    return 0


def _timings(entry: dict) -> dict:
    return (
        {"litert_microseconds": entry["litert_microseconds"]}
        if "litert_microseconds" in entry
        else {}
    )


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
    for prefix, data in (("", "measured_on"), ("test_", "scored_on")):
        before, after = report[f"{prefix}score_before"], report[f"{prefix}score_after"]
        repeated = prefix and report["scored_on"] == report["measured_on"]
        if before is not None and after is not None and not repeated:
            rows.append((f"{before['name']} ({report[data]})", before["value"], after["value"]))
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
        layout = f", {entry['export_layout']} export layout" if "export_layout" in entry else ""
        lines.append(f"- `{entry['file']}`: {entry['size_bytes']} bytes{layout}{error}")
    return "\n".join(lines) + "\n"


def _cell(value) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)
