"""Solver study: which `(solver, ode_unfolds)` should BioSynLTCCell use by default?

Trains `keras.layers.RNN(BioSynLTCCell(n, solver=s, ode_unfolds=u))` with the
recipe of `keras-biosyn benchmark` (Adam 0.01, XLA, early stopping on the
validation loss with patience 10, best weights kept, the task's epoch budget)
on every real task, for each solver x unfolds x neuron count x seed, and
records the test score, the epoch of the best validation loss, the seconds per
epoch and the total fit time. One JSON per task under `--out` (an interrupted
study resumes from it); `--summarize` prints the tables and writes them to
`<out>/summary.md`. The same script runs the other studies of the default
(initialisation, learning rate, budget, NCP unfolds) from a JSON of named
variants, `--variants-file benchmarks/variants/NAME.json`.

    python benchmarks/solver_study.py --tasks japanese_vowels,basic_motions --threads 1
    python benchmarks/solver_study.py --summarize
    python benchmarks/solver_study.py --variants-file benchmarks/variants/init_study.json \
        --neurons 16,32 --out benchmarks/results/init_study

Run two processes with `--threads 1` on different tasks to use both cores;
seconds per epoch are then comparable within a task (one core each), not with
the other benchmarks.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
from collections import defaultdict
from pathlib import Path

OUT = Path(__file__).resolve().parent / "results" / "solver_study"
TASKS = (
    "japanese_vowels",
    "japanese_vowels_irregular",
    "basic_motions",
    "electricity_demand",
    "half_cheetah",
)
# The broader benchmark: long sequences, a second forecasting task and a second body.
MORE_TASKS = ("osu_leaf", "acsf1", "warsaw_air_quality", "hopper")


def run_study(args):
    import tensorflow as tf

    if args.threads:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    from keras_biosyn.benchmarking import get_task
    from keras_biosyn.benchmarking.runner import naive_result, run_one
    from keras_biosyn.utils.files import write_file_atomically

    args.out.mkdir(parents=True, exist_ok=True)
    new_runs = 0
    for name in args.tasks:
        task = get_task(name)
        splits = task.load()
        path = args.out / f"{name}.json"
        runs = json.loads(path.read_text())["runs"] if path.exists() else []
        done = {_key(r) for r in runs}
        naive = naive_result(task, splits)
        if naive is not None and _key(naive) not in done:
            runs.append(naive)
        # a variant trains BioSynLTC unless it names another "model" (a baseline with a recipe)
        settings = [
            ((options or {}).get("model", model), label, options)
            for model in args.models
            for label, options in (
                args.variants.items() if model == "biosyn_ltc" else [(model, None)]
            )
        ]
        combinations = [
            (model, label, options, neurons, seed)
            for neurons in args.neurons
            for seed in range(args.seeds)
            for model, label, options in settings
        ]
        for index, (model, label, options, neurons, seed) in enumerate(combinations, 1):
            if (label, neurons, seed) in done:
                continue
            if args.max_runs and new_runs >= args.max_runs:
                return False
            new_runs += 1
            options = dict(options or {})
            options.pop("model", None)
            recipe = options.pop("recipe", {})
            prototype = options.pop("prototype", None)
            epochs = recipe.get("epochs", {}).get(name) or args.epochs or task.epochs
            cell_options = _resolve(options)
            if cell_options.get("clock_init") == "chrono":
                cell_options["chrono_max"] = splits["train"].x.shape[1]
            with _prototype(prototype):
                result = run_one(
                    task,
                    splits,
                    model,
                    neurons,
                    seed,
                    epochs,
                    10,
                    cell_options or None,
                    callbacks=_schedule(recipe),
                    **(
                        {"learning_rate": recipe["learning_rate"]}
                        if "learning_rate" in recipe
                        else {}
                    ),
                )
            result.pop("cell_options", None)
            result["variant"] = label
            if options:  # as given (JSON), not the initializer objects made of them
                result["cell_options"] = options
            if prototype or recipe:
                result.update(prototype=prototype, recipe=recipe)
            runs.append(result)
            print(
                f"[{index}/{len(combinations)}] {name} {label} "
                f"{neurons} neurons seed {seed}: {task.metric} {result['score']:.4f}, "
                f"best epoch {result['best_epoch']}/{result['epochs']}, "
                f"{result['seconds_per_epoch']:.2f} s/epoch",
                flush=True,
            )
            payload = {"task": name, "threads": args.threads, "runs": runs}
            write_file_atomically(path, (json.dumps(payload, indent=1) + "\n").encode())
    return True


def _resolve(options: dict) -> dict:
    """Cell options with `*_initializer` given as `[class name, config]` made into objects."""
    import keras

    from keras_biosyn import initializers

    resolved = {}
    for key, value in options.items():
        if key.endswith("_initializer") and isinstance(value, list):
            name, config = value
            value = getattr(initializers, name, None) or getattr(keras.initializers, name)
            value = value(**config)
        resolved[key] = value
    return resolved


@contextlib.contextmanager
def _prototype(name: str | None):
    """Within the block, the recipes build `benchmarks/prototype_cells.PROTOTYPES[name]`.

    A study-only swap: the prototypes are `BioSynLTCCell` subclasses taking
    extra keyword arguments, which the benchmark's model builder passes on.
    """
    if name is None:
        yield
        return
    from prototype_cells import PROTOTYPES

    from keras_biosyn import recipes

    shipped = recipes.BioSynLTCCell
    recipes.BioSynLTCCell = PROTOTYPES[name]
    try:
        yield
    finally:
        recipes.BioSynLTCCell = shipped


def _schedule(recipe: dict) -> list:
    """The recipe's learning-rate schedule as callbacks (`reduce_lr_on_plateau`)."""
    import keras

    plateau = recipe.get("reduce_lr_on_plateau")
    if not plateau:
        return []
    return [keras.callbacks.ReduceLROnPlateau(monitor="val_loss", **plateau)]


def _key(run):
    return (_label(run), run["neurons"], run["seed"])


def load(out: Path) -> dict[str, list[dict]]:
    return {
        name: json.loads((out / f"{name}.json").read_text())["runs"]
        for name in (*TASKS, *MORE_TASKS)
        if (out / f"{name}.json").exists()
    }


def _label(run) -> str:
    if "variant" in run:
        return run["variant"]
    options = run.get("cell_options") or {}
    if run["model"] != "biosyn_ltc":
        return run["model"]
    return f"{options.get('solver', 'semi_implicit')} x{options.get('ode_unfolds', 6)}"


# The solver study ran before the initialisation study, with 0.1's capacitances.
CM_0_1 = ["RandomUniform", {"minval": 0.4, "maxval": 0.6}]


def solver_variants(solvers, unfolds) -> dict[str, dict]:
    return {
        f"{s} x{u}": {"solver": s, "ode_unfolds": u, "cm_initializer": CM_0_1}
        for s in solvers
        for u in unfolds
    }


BASELINES = ("lstm", "gru", "ctrnn", "ncps_ltc", "naive")


def summarize(out: Path) -> str:
    """Markdown: per task, each setting's mean score, epochs to best, s/epoch, fit time.

    Then, per neuron count, each setting's mean gap to the best setting of
    every task (over the settings run on all tasks at that size), and the
    issue's targets per BioSynLTC setting: task x size cells where its mean is
    at least the LSTM's and the GRU's, and regression tasks where it beats the
    naive forecast.
    """
    results = load(out)
    higher = {name: runs[0]["metric"] == "accuracy" for name, runs in results.items()}
    lines = []
    means = {}  # (task, label, neurons) -> mean score
    for name, runs in results.items():
        groups = defaultdict(list)
        for run in runs:
            groups[(_label(run), run["neurons"])].append(run)
        labels = sorted({label for label, _ in groups})
        sizes = sorted({n for _, n in groups if n})
        lines += [
            f"### {name} (test {runs[0]['metric']}, "
            f"{'higher' if higher[name] else 'lower'} is better)",
            "",
            "| setting | "
            + " | ".join(f"{n} neurons" for n in sizes)
            + " | mean | best epoch | s / epoch | fit s |",
            "|---|" + "---|" * (len(sizes) + 4),
        ]
        for label in labels:
            if label == "naive":
                naive = groups[(label, 0)][0]["score"]
                means[(name, "naive", 0)] = naive
                lines.append(f"| naive | {' | '.join(['—'] * len(sizes))} | {naive:.4f} | | | |")
                continue
            cells, every = [], []
            for n in sizes:
                group = groups.get((label, n), [])
                scores = [r["score"] for r in group]
                every += group
                if scores:
                    means[(name, label, n)] = statistics.mean(scores)
                cells.append(
                    f"{statistics.mean(scores):.4f} ± {statistics.pstdev(scores):.4f}"
                    + ("" if len(scores) >= 3 else f" ({len(scores)})")
                    if scores
                    else "—"
                )
            lines.append(
                f"| {label} | "
                + " | ".join(cells)
                + f" | {statistics.mean(r['score'] for r in every):.4f} | "
                f"{statistics.mean(r['best_epoch'] for r in every):.1f} | "
                f"{statistics.median(r['seconds_per_epoch'] for r in every):.2f} | "
                f"{statistics.mean(r['seconds'] for r in every):.0f} |"
            )
        lines.append("")
    sizes = sorted({n for (_, _, n) in means if n})
    for n in sizes:
        tasks = [t for t in results if any(k[0] == t and k[2] == n for k in means)]
        labels = {k[1] for k in means if k[2] == n}
        complete = [lab for lab in labels if all((t, lab, n) in means for t in tasks)]
        gaps = defaultdict(list)
        for task in tasks:
            scores = {lab: means[(task, lab, n)] for lab in complete}
            best = (max if higher[task] else min)(scores.values())
            for label, mean in scores.items():
                gap = (best - mean) if higher[task] else (mean - best)
                gaps[label].append(100 * gap / abs(best))
        lines += [
            f"### Across tasks at {n} neurons: mean gap to each task's best (%, lower is better)",
            "",
            "| setting | " + " | ".join(tasks) + " | mean gap |",
            "|---|" + "---|" * (len(tasks) + 1),
        ]
        for label, row in sorted(gaps.items(), key=lambda item: statistics.mean(item[1])):
            lines.append(
                f"| {label} | "
                + " | ".join(f"{g:.1f}" for g in row)
                + f" | {statistics.mean(row):.1f} |"
            )
        lines.append("")
    lines += _targets(means, higher)
    return "\n".join(lines) + "\n"


def _targets(means: dict, higher: dict) -> list[str]:
    """Per BioSynLTC setting: cells >= LSTM, >= GRU (of those with both), and naive beaten."""

    def at_least(task, a, b, n):
        x, y = means[(task, a, n)], means[(task, b, n)]
        return x >= y if higher[task] else x <= y

    labels = sorted({k[1] for k in means if k[1] not in BASELINES})
    lines = [
        "### Targets: BioSynLTC settings against the LSTM, the GRU and the naive forecast",
        "",
        "Task x size cells (means over seeds) where the setting is at least as good as the "
        "baseline of the same neurons, and regression tasks where it beats the naive "
        "forecast at every size run.",
        "",
        "| setting | >= LSTM | >= GRU | beats naive | cells |",
        "|---|---|---|---|---|",
    ]
    for label in labels:
        cells = [(t, n) for (t, lab, n) in means if lab == label]
        lstm = [at_least(t, label, "lstm", n) for t, n in cells if (t, "lstm", n) in means]
        gru = [at_least(t, label, "gru", n) for t, n in cells if (t, "gru", n) in means]
        naive_tasks = sorted({t for t, _ in cells if (t, "naive", 0) in means})
        beaten = [
            all(means[(t, label, n)] < means[(t, "naive", 0)] for tt, n in cells if tt == t)
            for t in naive_tasks
        ]
        lines.append(
            f"| {label} | {sum(lstm)}/{len(lstm)} | {sum(gru)}/{len(gru)} | "
            f"{sum(beaten)}/{len(beaten)} | {len(cells)} |"
        )
    return [*lines, ""]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tasks",
        default=",".join(TASKS),
        help=f"comma-separated (default: the first five; the broader benchmark adds "
        f"{', '.join(MORE_TASKS)})",
    )
    parser.add_argument("--models", default="biosyn_ltc")
    parser.add_argument("--solvers", default="semi_implicit,exponential")
    parser.add_argument("--unfolds", default="1,2,3,6")
    parser.add_argument("--neurons", default="8,16,32")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, help="epoch budget (default: the task's)")
    parser.add_argument("--threads", type=int, default=0, help="TensorFlow threads (0: all)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--summarize", action="store_true", help="print the tables only (and write summary.md)"
    )
    parser.add_argument(
        "--max-runs",
        type=int,
        default=0,
        help="stop after this many new runs with exit status 3 (0: no limit); memory held by "
        "compiled models grows over hundreds of runs, so a shell loop can restart the study",
    )
    parser.add_argument(
        "--variants-file",
        help="a JSON of named variants, {name: cell options (+ 'recipe': {'learning_rate', "
        "'epochs': {task: n}}, + 'model' for a baseline other than biosyn_ltc)}, instead of "
        "--solvers x --unfolds",
    )
    parser.add_argument("--variants", help="names from --variants-file (default: all)")
    args = parser.parse_args(argv)
    if args.summarize:
        text = summarize(args.out)
        print(text)
        (args.out / "summary.md").write_text(text)
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    args.tasks = [t for t in args.tasks.split(",") if t]
    args.models = [m for m in args.models.split(",") if m]
    args.neurons = [int(n) for n in args.neurons.split(",")]
    if args.variants_file:
        variants = json.loads(Path(args.variants_file).read_text())
        chosen = [v for v in (args.variants or "").split(",") if v] or list(variants)
        unknown = [name for name in chosen if name not in variants]
        if unknown:
            sys.exit(f"--variants: {unknown} not in {args.variants_file} ({list(variants)})")
        args.variants = {name: variants[name] for name in chosen}
    else:
        args.variants = solver_variants(
            [s for s in args.solvers.split(",") if s], [int(u) for u in args.unfolds.split(",")]
        )
    if not run_study(args):
        sys.exit(3)


if __name__ == "__main__":
    main()
