"""int8 against float32 on the in-repo classification tasks: accuracy, size, arena, speed.

For each task x neurons x wiring x seed, trains the default `BioSynLTCCell` classifier,
exports its streaming step as float32 and as int8 in two forms (the membrane update kept in
float32, the default; and the whole step in int8 but for EXP/DIV/MAXIMUM, keras_biosyn 0.2's
int8), and measures each file's test accuracy stepped closed loop in LiteRT (and the default
int8 file in the TFLite Micro host interpreter too), with its `device_profile`. One JSON per
run in `--out` (an interrupted study resumes where it stopped); `summary.md` tabulates medians.

    python benchmarks/int8_study.py                     # 3 tasks x 16/32 x FC/AutoNCP x 3 seeds
    python benchmarks/int8_study.py --tasks japanese_vowels --seeds 0 --neurons 16
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from keras_biosyn.benchmarking import get_task, train_one
from keras_biosyn.export import (
    LiteRTModel,
    device_profile,
    export_tflite,
    run_tflite_micro,
)

FORMS = {
    "float32": {"quantization": None},
    "int8": {"quantization": "int8", "membrane": "float32"},
    "int8_membrane": {"quantization": "int8", "membrane": "int8"},
}


def accuracy(predictions, labels) -> float:
    return float(np.mean(np.argmax(predictions, -1) == labels))


def tflite_micro_predictions(path, test, limit: int = 200) -> np.ndarray:
    """The last step's output of the first `limit` test sequences, in TFLite Micro."""
    return np.stack(
        [
            run_tflite_micro(path, x[:n])[-1]
            for x, n in zip(test.x[:limit], test.length[:limit], strict=True)
        ]
    )


def run_one(task, splits, neurons, wiring, seed, epochs) -> dict:
    model, _, seconds, _ = train_one(
        task, splits, "biosyn_ltc", neurons, seed, epochs, 15, cell_options={"wiring": wiring}
    )
    test, train = splits["test"], splits["train"]
    keras_accuracy = accuracy(model.predict(test.x, verbose=0), test.y)
    result = {"keras_accuracy": keras_accuracy, "train_seconds": seconds, "forms": {}}
    with tempfile.TemporaryDirectory() as directory:
        for form, options in FORMS.items():
            path = Path(directory) / f"{form}.tflite"
            representative = train.x if options["quantization"] == "int8" else None
            export_tflite(model, path, representative_data=representative, **options)
            runner = LiteRTModel(path)
            entry = {
                "litert_accuracy": accuracy(runner.predict(test.x, test.length), test.y),
                "profile": device_profile(path).to_dict(),
            }
            if form == "int8" and entry["profile"]["arena_bytes"] is not None:
                micro = tflite_micro_predictions(path, test)
                subset = slice(0, len(micro))
                entry["tflite_micro_accuracy"] = accuracy(micro, test.y[subset])
                entry["litert_accuracy_on_tflite_micro_subset"] = accuracy(
                    runner.predict(test.x[subset], test.length[subset]), test.y[subset]
                )
            result["forms"][form] = entry
    return result


def summarize(results: list[dict]) -> str:
    groups = {}
    for r in results:
        groups.setdefault((r["task"], r["wiring"], r["neurons"]), []).append(r)

    def med(rows, fn):
        return statistics.median(fn(r) for r in rows)

    lines = [
        "# int8 against float32 (medians over seeds)",
        "",
        "The shipped device step: each synapse group's two conductance sums as two int8 "
        "tensors, and the membrane update and the state fed back in float32 "
        "([forms.md](forms.md) compares the forms tried; "
        "[../int8_study_stacked_sums/summary.md](../int8_study_stacked_sums/summary.md) is the "
        "same study of the earlier form).",
        "",
        "Accuracy: test split, streaming files stepped closed loop (LiteRT; TFLite Micro host "
        "interpreter for the default int8, on the first 200 test sequences). `int8`: the "
        "membrane update in float32 (default); "
        "`int8, int8 membrane`: the whole step in int8 but EXP/DIV/MAXIMUM (0.2's int8). Sizes "
        "in KB; arena: the TFLite Micro arena used; µs: LiteRT per "
        "step.",
        "",
        "| task | wiring | neurons | seeds | float32 | int8 LiteRT | int8 TFLM | int8 membrane "
        "| float32 KB | int8 KB | ratio | arena f32 / int8 KB | µs f32 / int8 |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (task, wiring, neurons), rows in sorted(groups.items()):

        def f(form, key, rows=rows):
            return med(rows, lambda r: r["forms"][form].get(key, float("nan")))

        def p(form, key, rows=rows):
            return med(rows, lambda r: r["forms"][form]["profile"][key] or 0)

        ratio = med(
            rows,
            lambda r: (
                r["forms"]["int8"]["profile"]["size_bytes"]
                / r["forms"]["float32"]["profile"]["size_bytes"]
            ),
        )
        lines.append(
            f"| {task} | {wiring} | {neurons} | {len(rows)} "
            f"| {f('float32', 'litert_accuracy'):.3f} "
            f"| {f('int8', 'litert_accuracy'):.3f} | {f('int8', 'tflite_micro_accuracy'):.3f} "
            f"| {f('int8_membrane', 'litert_accuracy'):.3f} "
            f"| {p('float32', 'size_bytes') / 1024:.1f} | {p('int8', 'size_bytes') / 1024:.1f} "
            f"| {ratio:.2f} | {p('float32', 'arena_bytes') / 1024:.1f} / "
            f"{p('int8', 'arena_bytes') / 1024:.1f} | {p('float32', 'litert_microseconds'):.1f} / "
            f"{p('int8', 'litert_microseconds'):.1f} |"
        )
    drops = [
        r["forms"]["float32"]["litert_accuracy"] - r["forms"]["int8"]["litert_accuracy"]
        for r in results
    ]
    # TFLite Micro runs the first 200 test sequences: compared with LiteRT on the same ones
    micro = [
        r["forms"]["int8"]["litert_accuracy_on_tflite_micro_subset"]
        - r["forms"]["int8"]["tflite_micro_accuracy"]
        for r in results
        if "tflite_micro_accuracy" in r["forms"]["int8"]
    ] or [float("nan")]
    old = [
        r["forms"]["float32"]["litert_accuracy"] - r["forms"]["int8_membrane"]["litert_accuracy"]
        for r in results
    ]
    lines += [
        "",
        f"Accuracy lost by int8 over {len(results)} runs (points): LiteRT median "
        f"{100 * statistics.median(drops):.1f}, worst {100 * max(drops):.1f}; TFLite Micro "
        f"below LiteRT's int8 on the same sequences: median {100 * statistics.median(micro):.1f},"
        f" worst {100 * max(micro):.1f}; with an int8 "
        f"membrane median {100 * statistics.median(old):.1f}, worst {100 * max(old):.1f}.",
        "",
        "Float ops left in the default int8 files (the membrane update; alike over tasks and "
        "seeds):",
        "",
        "| wiring | neurons | time input | float ops |",
        "|---|---|---|---|",
    ]
    float_ops = {
        (r["wiring"], r["neurons"], "irregular" in r["task"]): ", ".join(
            f"{op} x{n}" for op, n in sorted(r["forms"]["int8"]["profile"]["float_ops"].items())
        )
        for r in results
    }
    lines += [
        f"| {wiring} | {neurons} | {'yes' if timed else 'no'} | {ops} |"
        for (wiring, neurons, timed), ops in sorted(float_ops.items())
    ]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tasks",
        nargs="+",
        default=["japanese_vowels", "basic_motions", "japanese_vowels_irregular"],
    )
    parser.add_argument("--neurons", nargs="+", type=int, default=[16, 32])
    parser.add_argument("--wirings", nargs="+", default=["fully_connected", "auto_ncp"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=None, help="default: the task's budget")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/int8_study"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    results = []
    for seed in args.seeds:
        for task_name in args.tasks:
            task = get_task(task_name)
            splits = None
            for neurons in args.neurons:
                for wiring in args.wirings:
                    file = args.out / f"{task_name}_{wiring}_{neurons}_seed{seed}.json"
                    if file.exists():
                        results.append(json.loads(file.read_text()))
                        continue
                    splits = splits or task.load()
                    start = time.perf_counter()
                    result = run_one(
                        task, splits, neurons, wiring, seed, args.epochs or task.epochs
                    )
                    result.update(task=task_name, wiring=wiring, neurons=neurons, seed=seed)
                    file.write_text(json.dumps(result, indent=1) + "\n")
                    results.append(result)
                    forms = result["forms"]
                    print(
                        f"{file.stem}: float32 {forms['float32']['litert_accuracy']:.3f}, int8 "
                        f"{forms['int8']['litert_accuracy']:.3f} (TFLM "
                        f"{forms['int8'].get('tflite_micro_accuracy', float('nan')):.3f}), "
                        "int8 membrane "
                        f"{forms['int8_membrane']['litert_accuracy']:.3f} "
                        f"[{time.perf_counter() - start:.0f} s]",
                        flush=True,
                    )
                    (args.out / "summary.md").write_text(summarize(results))
    (args.out / "summary.md").write_text(summarize(results))
    print((args.out / "summary.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
