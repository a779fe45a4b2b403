"""`keras-biosyn benchmark`: every model × neuron count × seed on a task, same budget.

Writes `<out>/<task>.json` (all runs; an interrupted run resumes from it),
`<out>/<task>.md` (mean ± std table and whether the smaller-circuit claim
holds) and `<out>/<task>.png` (test score vs neurons and vs parameters).
Japanese Vowels and its irregular version are embedded; the other tasks need
the `datasets` extra, and the `ncps_ltc` baseline the `bench` extra.
"""

from __future__ import annotations

import argparse
import json
import shlex
from importlib.util import find_spec
from pathlib import Path

from keras_biosyn_cli.common import CommandError, bounded, check_output_directory, comma_list

# keras_biosyn.benchmarking.TASKS and MODELS, named here so that --help needs no TensorFlow
# (a test checks that they agree).
TASKS = (
    "acsf1",
    "basic_motions",
    "electricity_demand",
    "half_cheetah",
    "hopper",
    "japanese_vowels",
    "japanese_vowels_irregular",
    "osu_leaf",
    "warsaw_air_quality",
)
MODELS = ("biosyn_ltc", "biosyn_ltc_0.1", "biosyn_ltc_0.2", "ctrnn", "lstm", "gru", "ncps_ltc")
# ncps_ltc needs the bench extra; biosyn_ltc_0.1 and _0.2 (earlier defaults) are there to compare
DEFAULT_MODELS = ("biosyn_ltc", "ctrnn", "lstm", "gru")
BENCH_HINT = 'pip install "keras-biosyn[bench]"'


HELP = "compare BioSynLTC with CT-RNN, LSTM, GRU and ncps on a real task"


def add_arguments(parser: argparse.ArgumentParser):
    parser.add_argument("--task", required=True, choices=TASKS, help="the dataset (required)")
    parser.add_argument(
        "--models",
        type=comma_list(MODELS),
        metavar="LIST",
        default=list(DEFAULT_MODELS),
        help=f"comma-separated among {', '.join(MODELS)} "
        f"(default: {','.join(DEFAULT_MODELS)}; ncps_ltc needs {BENCH_HINT})",
    )
    parser.add_argument(
        "--neurons",
        type=comma_list(kind=int, minimum=3),
        metavar="LIST",
        default=[4, 8, 16, 32],
        help="comma-separated neuron counts, each >= 3 (default: 4,8,16,32)",
    )
    parser.add_argument(
        "--seeds", metavar="N", type=bounded(int, 1), default=3, help="seeds per size"
    )
    parser.add_argument(
        "--epochs",
        metavar="N",
        type=bounded(int, 1),
        help="epoch budget (default: the task's own)",
    )
    parser.add_argument(
        "--patience", metavar="N", type=bounded(int, 1), default=10, help="early-stopping patience"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("benchmarks/results"),
        metavar="DIR",
        help="output directory",
    )


def run(args: argparse.Namespace) -> int:
    if "ncps_ltc" in args.models and find_spec("ncps") is None:
        raise CommandError(f"--models ncps_ltc needs ncps 1.0.1: {BENCH_HINT}")
    check_output_directory(args.out, "--out")
    from keras_biosyn.benchmarking import aggregate, get_task, markdown, plot, run
    from keras_biosyn.utils.files import write_file_atomically

    task = get_task(args.task)
    try:
        splits = task.load()  # before any training: a missing extra stops here
    except ImportError as error:
        raise CommandError(f"--task {args.task}: {error}") from None
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{task.name}.json"
    existing = _existing_runs(path)
    command = "keras-biosyn " + " ".join(shlex.quote(a) for a in args.argv)

    def save(results):
        payload = {"task": task.name, "command": command, "runs": results}
        write_file_atomically(path, (json.dumps(payload, indent=1) + "\n").encode())

    results = run(
        task,
        args.models,
        args.neurons,
        args.seeds,
        args.epochs,
        args.patience,
        existing=existing,
        on_result=save,
        splits=splits,
    )
    save(results)
    rows = aggregate(results)
    report = markdown(task, rows, command)
    write_file_atomically(args.out / f"{task.name}.md", report.encode())
    plot(task, rows, args.out / f"{task.name}.png")
    print(report)
    return 0


def _existing_runs(path: Path) -> list[dict]:
    if not path.exists():
        return []
    try:
        return json.loads(path.read_text())["runs"]
    except (ValueError, KeyError, TypeError) as error:
        raise CommandError(
            f"--out: {str(path)!r} is not a benchmark result file to resume from ({error}); "
            "move it away or choose another --out"
        ) from None
