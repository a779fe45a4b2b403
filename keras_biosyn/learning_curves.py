"""Learning curves of `fit` runs: per-epoch metrics as JSON and as a figure.

`learning_curves` turns `History` objects into plain lists, `plot_learning_curves`
draws one panel per metric (training solid, validation dashed, one colour per
model) and `save_learning_curves` writes both files atomically.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from keras_biosyn.utils.files import write_atomically, write_file_atomically

__all__ = ["learning_curves", "plot_learning_curves", "save_learning_curves"]


def learning_curves(histories: Mapping) -> dict[str, dict[str, list[float]]]:
    """Per-epoch metrics of each run: `{run: {metric: [value per epoch]}}`.

    Args:
        histories: `keras.callbacks.History` objects (or their `.history`
            dicts) by run name.
    """
    curves = {}
    for name, history in histories.items():
        logs = getattr(history, "history", history)
        curves[name] = {metric: [float(v) for v in values] for metric, values in logs.items()}
    return curves


def plot_learning_curves(curves: Mapping, title: str | None = None):
    """One panel per metric (`loss`, `accuracy`, ...) with every run's curves.

    Training values are solid lines and validation values (`val_*`) dashed,
    in the same colour for one run. Returns a `matplotlib.figure.Figure`.

    Example:

    ```python
    histories = {"biosyn_ltc": model.fit(x, y, validation_split=0.2, epochs=5)}
    figure = plot_learning_curves(learning_curves(histories))
    ```
    """
    from matplotlib.figure import Figure

    metrics = sorted(
        {m for logs in curves.values() for m in logs if not m.startswith("val_")},
        key=lambda m: (m != "loss", m),
    )
    if not metrics:
        raise ValueError(
            f"Expected per-epoch metrics to plot. Received: curves with runs {list(curves)} "
            "and no metric"
        )
    figure = Figure(figsize=(5.2 * len(metrics), 3.8))
    axes = figure.subplots(1, len(metrics), squeeze=False)[0]
    for index, (name, logs) in enumerate(curves.items()):
        color = f"C{index}"
        for ax, metric in zip(axes, metrics, strict=True):
            for key, style, label in ((metric, "-", name), (f"val_{metric}", "--", None)):
                if key in logs:
                    epochs = range(1, len(logs[key]) + 1)
                    ax.plot(epochs, logs[key], style, color=color, label=label)
    for ax, metric in zip(axes, metrics, strict=True):
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
        if metric == "loss":
            ax.set_yscale("log")
    axes[0].legend(title="solid: training, dashed: validation", fontsize=8, title_fontsize=8)
    if title:
        figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    return figure


def save_learning_curves(
    curves: Mapping, json_path: str | os.PathLike, png_path: str | os.PathLike, title=None
) -> tuple[Path, Path]:
    """Writes `curves` as JSON and their figure as PNG; returns both paths."""
    text = json.dumps(curves, indent=1) + "\n"
    json_path = write_file_atomically(json_path, text.encode())
    figure = plot_learning_curves(curves, title)
    png_path = write_atomically(png_path, lambda file: figure.savefig(file, format="png", dpi=100))
    return json_path, png_path
