"""Benchmarks that test the package's claims on real tasks (`keras-biosyn benchmark`)."""

from keras_biosyn.benchmarking.models import MODELS, benchmark_layer, build_model
from keras_biosyn.benchmarking.report import (
    aggregate,
    claim_summary,
    equal_neurons_table,
    markdown,
    plot,
    speed_table,
    summary_table,
)
from keras_biosyn.benchmarking.runner import run, run_one, split_scores, train_one
from keras_biosyn.benchmarking.tasks import TASKS, Task, get_task

__all__ = [
    "MODELS",
    "TASKS",
    "Task",
    "aggregate",
    "benchmark_layer",
    "build_model",
    "claim_summary",
    "equal_neurons_table",
    "get_task",
    "markdown",
    "plot",
    "run",
    "run_one",
    "speed_table",
    "split_scores",
    "summary_table",
    "train_one",
]
