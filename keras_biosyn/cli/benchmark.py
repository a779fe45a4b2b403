"""`keras-biosyn benchmark`: every model × neuron count × seed on a task, same budget.

Writes `<out>/<task>.json` (all runs; an interrupted run resumes from it),
`<out>/<task>.md` (mean ± std table and whether the smaller-circuit claim
holds) and `<out>/<task>.png` (test score vs neurons and vs parameters).
"""

from __future__ import annotations

import argparse
import json
import shlex
from pathlib import Path

from keras_biosyn.benchmarking import MODELS, TASKS, aggregate, get_task, markdown, plot, run


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "benchmark",
        help="compare BioSynLTC with CT-RNN, LSTM, GRU and ncps on a real task",
        description=__doc__.split("\n\n")[1].replace("\n", " "),
    )
    parser.add_argument("--task", required=True, choices=sorted(TASKS))
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated")
    parser.add_argument("--neurons", default="4,8,16,32", help="comma-separated")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, help="epoch budget (default: the task's)")
    parser.add_argument("--patience", type=int, default=10, help="early-stopping patience")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    parser.set_defaults(run=run_command)
    return parser


def run_command(args: argparse.Namespace) -> int:
    task = get_task(args.task)
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = sorted(set(models) - set(MODELS))
    if unknown or not models:
        raise SystemExit(f"--models takes {list(MODELS)}, got {args.models!r}")
    try:
        neurons = [int(n) for n in args.neurons.split(",")]
    except ValueError:
        raise SystemExit(f"--neurons takes comma-separated ints, got {args.neurons!r}") from None
    if min(neurons) < 3 or args.seeds < 1 or (args.epochs is not None and args.epochs < 1):
        raise SystemExit("--neurons must be >= 3, --seeds and --epochs >= 1")
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{task.name}.json"
    existing = json.loads(path.read_text())["runs"] if path.exists() else []
    command = "keras-biosyn " + " ".join(shlex.quote(a) for a in args.argv)

    def save(results):
        payload = {"task": task.name, "command": command, "runs": results}
        path.write_text(json.dumps(payload, indent=1) + "\n")

    results = run(
        task,
        models,
        neurons,
        args.seeds,
        args.epochs,
        args.patience,
        existing=existing,
        on_result=save,
    )
    save(results)
    rows = aggregate(results)
    report = markdown(task, rows, command)
    (args.out / f"{task.name}.md").write_text(report)
    plot(task, rows, args.out / f"{task.name}.png")
    print(report)
    return 0
