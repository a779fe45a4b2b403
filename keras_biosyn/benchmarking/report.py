"""Summaries of benchmark results: mean ± std tables, the smallest matching circuit, plots."""

from __future__ import annotations

import os
from collections import defaultdict

import numpy as np

from keras_biosyn.benchmarking.models import PAST_DEFAULTS
from keras_biosyn.benchmarking.tasks import Task
from keras_biosyn.utils.files import write_atomically

__all__ = [
    "aggregate",
    "claim_summary",
    "equal_neurons_table",
    "markdown",
    "plot",
    "speed_table",
    "summary_table",
]


def aggregate(results: list[dict]) -> list[dict]:
    """One row per (model, neurons): mean and std of score, parameters, time per epoch."""
    groups = defaultdict(list)
    for result in results:
        groups[(result["model"], result["neurons"])].append(result)
    rows = []
    for (model, neurons), runs in sorted(groups.items()):
        scores = np.array([r["score"] for r in runs])
        validation = [r["validation_score"] for r in runs if "validation_score" in r]
        rows.append(
            {
                "model": model,
                "neurons": neurons,
                "parameters": runs[0]["parameters"],
                "mean": float(scores.mean()),
                "std": float(scores.std()),
                "validation_mean": float(np.mean(validation)) if validation else None,
                "seeds": len(runs),
                "seconds_per_epoch": float(np.median([r["seconds_per_epoch"] for r in runs])),
            }
        )
    return rows


def _better(task: Task, a: float, b: float) -> bool:
    return a >= b if task.higher_is_better else a <= b


def claim_summary(task: Task, rows: list[dict]) -> dict:
    """The smallest BioSynLTC whose mean score matches the best LSTM's.

    "Matches" means a mean score at least as good as the best LSTM mean minus
    one standard deviation of that LSTM's seeds (plus, for error metrics).
    """
    lstm = [r for r in rows if r["model"] == "lstm"]
    biosyn = sorted((r for r in rows if r["model"] == "biosyn_ltc"), key=lambda r: r["neurons"])
    if not lstm or not biosyn:
        return {}
    best = max(lstm, key=lambda r: r["mean"] if task.higher_is_better else -r["mean"])
    threshold = best["mean"] - best["std"] if task.higher_is_better else best["mean"] + best["std"]
    match = next((r for r in biosyn if _better(task, r["mean"], threshold)), None)
    ctrnn = {r["neurons"]: r for r in rows if r["model"] == "ctrnn"}
    return {
        "best_lstm": best,
        "threshold": threshold,
        "smallest_matching_biosyn": match,
        "ctrnn_same_neurons": ctrnn.get(match["neurons"]) if match else None,
        "holds": match is not None and match["parameters"] < best["parameters"],
    }


def markdown(task: Task, rows: list[dict], command: str) -> str:
    arrow = "higher is better" if task.higher_is_better else "lower is better"
    lines = [
        f"# {task.name}: {task.description}",
        "",
        f"Test {task.metric} ({arrow}), mean ± std over seeds. Regenerate with:",
        "",
        f"    {command}",
        "",
        "| model | neurons | parameters | test " + task.metric + " | seeds | s / epoch |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        if r["model"] == "naive":
            lines.append(f"| naive (last observed target) | — | 0 | {r['mean']:.4f} | — | — |")
            continue
        lines.append(
            f"| {r['model']} | {r['neurons']} | {r['parameters']} | "
            f"{r['mean']:.4f} ± {r['std']:.4f} | {r['seeds']} | {r['seconds_per_epoch']:.2f} |"
        )
    summary = claim_summary(task, rows)
    if summary:
        best = summary["best_lstm"]
        lines += [
            "",
            f"Best LSTM: {best['neurons']} units, {best['parameters']} parameters, "
            f"{best['mean']:.4f} ± {best['std']:.4f}.",
        ]
        match = summary["smallest_matching_biosyn"]
        if match is None:
            lines.append(
                f"No BioSynLTC size reached it (threshold {summary['threshold']:.4f}): "
                "the claim does not hold on this task."
            )
        else:
            ctrnn = summary["ctrnn_same_neurons"]
            lines.append(
                f"Smallest BioSynLTC that matches it: {match['neurons']} neurons, "
                f"{match['parameters']} parameters, {match['mean']:.4f} ± {match['std']:.4f}"
                + (
                    f"; CT-RNN with {ctrnn['neurons']} neurons: {ctrnn['mean']:.4f} ± "
                    f"{ctrnn['std']:.4f} ({ctrnn['parameters']} parameters)."
                    if ctrnn
                    else "."
                )
            )
            lines.append(
                "The claim holds (fewer parameters than the LSTM)."
                if summary["holds"]
                else "It needs at least as many parameters as the LSTM: the claim does not hold."
            )
    return "\n".join(lines) + "\n"


def plot(task: Task, rows: list[dict], path: str | os.PathLike):
    """Score vs neurons and vs parameters, one line per model, saved as PNG."""
    try:
        from matplotlib.figure import Figure
    except ImportError as error:
        raise ImportError('Plots need matplotlib: pip install "keras-biosyn[plots]"') from error
    figure = Figure(figsize=(11, 4.2))
    axes = figure.subplots(1, 2)
    naive = next((r for r in rows if r["model"] == "naive"), None)
    for model in sorted({r["model"] for r in rows} - {"naive"}):
        series = sorted((r for r in rows if r["model"] == model), key=lambda r: r["neurons"])
        for ax, key in zip(axes, ("neurons", "parameters"), strict=True):
            ax.errorbar(
                [r[key] for r in series],
                [r["mean"] for r in series],
                yerr=[r["std"] for r in series],
                marker="o",
                capsize=3,
                label=model,
            )
    for ax, key in zip(axes, ("neurons", "parameters"), strict=True):
        if naive is not None:
            ax.axhline(naive["mean"], color="black", linestyle=":", label="naive (last value)")
        ax.set_xscale("log", base=2 if key == "neurons" else 10)
        ax.set_xlabel(key)
        ax.set_ylabel(f"test {task.metric}")
        ax.grid(alpha=0.3)
    if not task.higher_is_better:
        for ax in axes:
            ax.set_yscale("log")
    axes[0].legend()
    figure.suptitle(f"{task.name}: {task.description}", fontsize=10)
    figure.tight_layout()
    write_atomically(path, lambda file: figure.savefig(file, format="png", dpi=100))


def _cell(row: dict | None, unit: str = "neurons") -> str:
    if row is None:
        return "—"
    score = f"{row['mean']:.4g} ± {row['std']:.2g}"
    return f"{row['neurons']} {unit}, {row['parameters']} params: {score}"


def summary_table(results_by_task: dict[str, list[dict]], tasks: dict[str, Task]) -> str:
    """One Markdown row per task: the best LSTM, the smallest BioSynLTC matching it, baselines.

    Args:
        results_by_task: The `runs` of each task's benchmark JSON, by task name.
        tasks: The `Task` of each name (for its metric and direction).
    """
    lines = [
        "| task (metric) | best LSTM | smallest BioSynLTC matching it | CT-RNN, same neurons "
        "| ncps LTC, same neurons | naive forecast | claim |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, results in results_by_task.items():
        task = tasks[name]
        rows = aggregate(results)
        summary = claim_summary(task, rows)
        if not summary:
            continue
        match = summary["smallest_matching_biosyn"]
        if match is None:
            shown = max(
                (r for r in rows if r["model"] == "biosyn_ltc"),
                key=lambda r: r["mean"] if task.higher_is_better else -r["mean"],
            )
            matched = f"none (best: {_cell(shown)})"
            verdict = "does not hold"
        else:
            shown = match
            matched = _cell(match)
            verdict = "holds" if summary["holds"] else "does not hold (more parameters)"
        # the baselines with as many neurons as the BioSynLTC shown
        same = {
            r["model"]: r
            for r in rows
            if r["neurons"] == shown["neurons"] and r["model"] in ("ctrnn", "ncps_ltc")
        }
        naive = next((r for r in rows if r["model"] == "naive"), None)
        naive_cell = f"{naive['mean']:.4g}" if naive else "—"
        lines.append(
            f"| {name} ({task.metric}, {'↑' if task.higher_is_better else '↓'}) "
            f"| {_cell(summary['best_lstm'], 'units')} | {matched} "
            f"| {_cell(same.get('ctrnn'))} | {_cell(same.get('ncps_ltc'))} "
            f"| {naive_cell} "
            f"| {verdict} |"
        )
    return "\n".join(lines) + "\n"


def equal_neurons_table(
    results_by_task: dict[str, list[dict]],
    tasks: dict[str, Task],
    sizes: tuple[int, ...] = (16, 32),
    models: tuple[str, ...] = ("biosyn_ltc", *PAST_DEFAULTS, "lstm", "gru", "ctrnn"),
) -> str:
    """Mean test score of each model at each of `sizes` neurons, one row per task and size.

    The last columns say whether BioSynLTC's mean is at least the LSTM's and,
    for forecasting tasks, better than the naive forecast.
    """
    lines = [
        "| task (metric) | neurons | "
        + " | ".join(models)
        + " | naive | BioSynLTC ≥ LSTM | BioSynLTC beats naive |",
        "|---|---|" + "---|" * (len(models) + 3),
    ]
    for name, results in results_by_task.items():
        task = tasks[name]
        rows = aggregate(results)
        naive = next((r["mean"] for r in rows if r["model"] == "naive"), None)
        for size in sizes:
            at = {r["model"]: r for r in rows if r["neurons"] == size}
            cells = [f"{at[m]['mean']:.4g}" if m in at else "—" for m in models]
            ours, lstm = at.get("biosyn_ltc"), at.get("lstm")
            versus = "—" if not (ours and lstm) else _yes(task, ours["mean"], lstm["mean"])
            beats = "—" if naive is None or not ours else _yes(task, ours["mean"], naive, True)
            lines.append(
                f"| {name} ({task.metric}, {'↑' if task.higher_is_better else '↓'}) | {size} | "
                + " | ".join(cells)
                + f" | {'—' if naive is None else f'{naive:.4g}'} | {versus} | {beats} |"
            )
    return "\n".join(lines) + "\n"


def _yes(task: Task, value: float, reference: float, strict: bool = False) -> str:
    if value == reference:
        return "no" if strict else "yes"
    return "yes" if _better(task, value, reference) else "no"


def speed_table(results_by_task: dict[str, list[dict]], neurons: int = 16) -> str:
    """Median seconds per epoch of each model at `neurons`, one row per task."""
    models = sorted(
        {r["model"] for results in results_by_task.values() for r in results} - {"naive"}
    )
    lines = [
        f"| task ({neurons} neurons) | " + " | ".join(models) + " |",
        "|---|" + "---|" * len(models),
    ]
    for name, results in results_by_task.items():
        rows = {r["model"]: r for r in aggregate(results) if r["neurons"] == neurons}
        cells = [f"{rows[m]['seconds_per_epoch']:.2f}" if m in rows else "—" for m in models]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
