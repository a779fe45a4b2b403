"""The benchmark tasks: real datasets, each with its metric and training budget."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from keras_biosyn import datasets
from keras_biosyn.utils.metrics import accuracy

__all__ = ["TASKS", "Task", "get_task"]


@dataclasses.dataclass(frozen=True)
class Task:
    """A benchmark task.

    Attributes:
        name: Task name used on the command line.
        load: Returns the dataset's `Split`s (`train`, `validation`, `test`).
        kind: `"classification"` (sparse labels) or `"regression"`.
        outputs: Number of classes or of regression targets.
        masked: Sequences are zero padded: models start with `Masking(0)`.
        time_input: The last feature is the elapsed time (`time_input=True`
            for the cells; other models see it as a plain feature).
        batch_size: Training batch size.
        epochs: Default epoch budget (early stopping may end sooner).
        description: One line for reports.
    """

    name: str
    load: Callable
    kind: str
    outputs: int
    masked: bool = False
    time_input: bool = False
    batch_size: int = 64
    epochs: int = 40
    description: str = ""

    @property
    def metric(self) -> str:
        return "accuracy" if self.kind == "classification" else "mse"

    @property
    def higher_is_better(self) -> bool:
        return self.kind == "classification"

    def score(self, predictions, targets) -> float:
        """Accuracy of class probabilities, or the mean squared error of forecasts."""
        if self.kind == "classification":
            return accuracy(predictions, targets)
        predictions, targets = np.asarray(predictions), np.asarray(targets)
        return float(np.mean(np.square(predictions - targets)))


TASKS = {
    task.name: task
    for task in (
        Task(
            "japanese_vowels",
            datasets.load_japanese_vowels,
            "classification",
            9,
            masked=True,
            batch_size=32,
            epochs=60,
            description="speaker recognition, 12 LPC features, 7-29 frames (embedded, UCI)",
        ),
        Task(
            "japanese_vowels_irregular",
            datasets.load_japanese_vowels_irregular,
            "classification",
            9,
            masked=True,
            time_input=True,
            batch_size=32,
            epochs=60,
            description="the same, 40 % of frames dropped, elapsed time as last feature",
        ),
        Task(
            "basic_motions",
            datasets.load_basic_motions,
            "classification",
            4,
            batch_size=16,
            epochs=80,
            description="activity recognition, 6-channel smartwatch IMU, 100 steps (UEA)",
        ),
        Task(
            "osu_leaf",
            datasets.load_osu_leaf,
            "classification",
            6,
            batch_size=32,
            epochs=60,
            description="leaf species from the leaf's outline, univariate, 427 steps (UCR)",
        ),
        Task(
            "acsf1",
            datasets.load_acsf1,
            "classification",
            10,
            batch_size=16,
            epochs=60,
            description="household appliance from a day of power use, 1,460 steps (UCR)",
        ),
        Task(
            "electricity_demand",
            lambda: datasets.load_electricity_demand(window=48, stride=8),
            "regression",
            1,
            epochs=20,
            description="next half-hour demand of Victoria from one day of demand and weather",
        ),
        Task(
            "warsaw_air_quality",
            datasets.load_warsaw_air_quality,
            "regression",
            1,
            epochs=40,
            description="next day's PM2.5 in Warsaw from four weeks of PM2.5, PM10 and NO2",
        ),
        Task(
            "half_cheetah",
            datasets.load_half_cheetah,
            "regression",
            17,
            epochs=40,
            description="next-state change of a MuJoCo HalfCheetah from 32 steps of state+action",
        ),
        Task(
            "hopper",
            datasets.load_hopper,
            "regression",
            11,
            epochs=40,
            description="next-state change of a MuJoCo Hopper from 32 steps of state+action",
        ),
    )
}


def get_task(name: str) -> Task:
    if name not in TASKS:
        raise ValueError(f"Expected a task among {sorted(TASKS)}. Received: task={name!r}")
    return TASKS[name]
