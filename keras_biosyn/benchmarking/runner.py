"""Training every (model, neurons, seed) combination of a task on the same budget."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Iterable, Sequence

import keras
import numpy as np

from keras_biosyn.benchmarking.models import build_model, recurrent_parameters
from keras_biosyn.benchmarking.tasks import Task
from keras_biosyn.recipes import LEARNING_RATE, fit

__all__ = ["naive_result", "run", "run_one", "split_scores", "train_one"]


class _EpochTimer(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


def train_one(
    task: Task,
    splits,
    model_name: str,
    neurons: int,
    seed: int,
    epochs: int,
    patience: int,
    cell_options: dict | None = None,
    learning_rate: float = LEARNING_RATE,
    callbacks: Sequence[keras.callbacks.Callback] = (),
):
    """Builds and trains one model as `run_one` does; returns it with its history.

    `callbacks` (e.g. a `keras.callbacks.ReduceLROnPlateau`) run after the
    early stopping, as in `keras_biosyn.recipes.fit`.

    Returns:
        `(model, history, seconds, seconds_per_epoch)`: the trained model (the
        weights of its best validation loss), its `keras.callbacks.History`,
        the fit time and the median seconds per epoch after the first.

    Example:

    ```python
    model, history, seconds, per_epoch = train_one(task, task.load(), "lstm", 8, 0, 2, 2)
    ```
    """
    keras.utils.set_random_seed(seed)
    train, validation = splits["train"], splits["validation"]
    model = build_model(
        model_name,
        neurons,
        task,
        train.x.shape[1],
        train.x.shape[2],
        cell_options=cell_options,
        learning_rate=learning_rate,
    )
    timer = _EpochTimer()
    start = time.perf_counter()
    history = fit(
        model,
        train,
        validation,
        epochs,
        task.batch_size,
        patience,
        validation_batch_size=len(validation.x),  # one shape: one compilation
        callbacks=[*callbacks, timer],
        verbose=0,
    )
    seconds = time.perf_counter() - start
    # the first epoch holds tracing and XLA compilation
    return model, history, seconds, statistics.median(timer.seconds[1:] or timer.seconds)


def split_scores(task: Task, splits, model) -> tuple[float, float]:
    """`(validation, test)` scores of `model`, from one `predict` call of one batch.

    Each new batch shape costs an XLA compilation, so validation and test go
    through together.
    """
    validation, test = splits["validation"], splits["test"]
    both = np.concatenate([validation.x, test.x])
    predictions = model.predict(both, batch_size=len(both), verbose=0)
    return (
        task.score(predictions[: len(validation.x)], validation.y),
        task.score(predictions[len(validation.x) :], test.y),
    )


def run_one(
    task: Task,
    splits,
    model_name: str,
    neurons: int,
    seed: int,
    epochs: int,
    patience: int,
    cell_options: dict | None = None,
    learning_rate: float = LEARNING_RATE,
    callbacks: Sequence[keras.callbacks.Callback] = (),
) -> dict:
    """Trains one model with early stopping on validation loss; returns its test score.

    The model comes from `build_model` and is trained by `keras_biosyn.recipes.fit`
    (the generic recipe, the main job's too) after `keras.utils.set_random_seed(seed)`.

    The result also holds `best_epoch` (the epoch of the best validation loss,
    whose weights are kept), the validation score there and, for forecasting
    tasks, the validation and test MSE, so that a shift between the training
    period and the test period shows.
    """
    model, history, seconds, seconds_per_epoch = train_one(
        task,
        splits,
        model_name,
        neurons,
        seed,
        epochs,
        patience,
        cell_options,
        learning_rate,
        callbacks,
    )
    validation_score, score = split_scores(task, splits, model)
    losses, parameters = history.history, recurrent_parameters(model)
    del model, history
    keras.backend.clear_session()
    gc.collect()  # a long benchmark builds hundreds of models
    return {
        "task": task.name,
        "model": model_name,
        "neurons": neurons,
        "seed": seed,
        "parameters": parameters,
        "metric": task.metric,
        "score": score,
        "validation_score": validation_score,
        "best_val_loss": float(min(losses["val_loss"])),
        "best_epoch": int(np.argmin(losses["val_loss"])) + 1,
        "train_loss": float(losses["loss"][int(np.argmin(losses["val_loss"]))]),
        "epochs": len(losses["loss"]),
        "seconds": round(seconds, 2),
        "seconds_per_epoch": seconds_per_epoch,
        **({"cell_options": dict(cell_options)} if cell_options else {}),
        **({"learning_rate": learning_rate} if learning_rate != LEARNING_RATE else {}),
    }


def naive_result(task: Task, splits) -> dict | None:
    """The naive forecast's test score (forecasting tasks whose splits carry `naive`)."""
    test, validation = splits["test"], splits["validation"]
    if task.kind == "classification" or test.naive is None:
        return None
    return {
        "task": task.name,
        "model": "naive",
        "neurons": 0,
        "seed": 0,
        "parameters": 0,
        "metric": task.metric,
        "score": task.score(test.naive, test.y),
        "validation_score": task.score(validation.naive, validation.y),
        "epochs": 0,
        "seconds": 0.0,
        "seconds_per_epoch": 0.0,
    }


def run(
    task: Task,
    models: Iterable[str],
    neurons: Iterable[int],
    seeds: int,
    epochs: int | None = None,
    patience: int = 10,
    progress: Callable[[str], None] = print,
    existing: list[dict] | None = None,
    on_result: Callable[[list[dict]], None] | None = None,
    splits: dict | None = None,
) -> list[dict]:
    """Runs every combination not already in `existing`; returns all results.

    `on_result(results)` is called after each run (e.g. to save them), so an
    interrupted benchmark resumes where it stopped. `splits` are the task's
    loaded splits (default: `task.load()`).
    """
    splits = task.load() if splits is None else splits
    results = list(existing or [])
    done = {(r["model"], r["neurons"], r["seed"]) for r in results}
    naive = naive_result(task, splits)
    if naive is not None and ("naive", 0, 0) not in done:
        results.append(naive)
        progress(
            f"{task.name} naive forecast (last observed target): {task.metric} "
            f"{naive['score']:.4f}"
        )
    combinations = [(m, n, s) for m in models for n in neurons for s in range(seeds)]
    for index, (model_name, size, seed) in enumerate(combinations, 1):
        if (model_name, size, seed) in done:
            continue
        result = run_one(task, splits, model_name, size, seed, epochs or task.epochs, patience)
        results.append(result)
        progress(
            f"[{index}/{len(combinations)}] {task.name} {model_name:>10} {size:>3} neurons "
            f"seed {seed}: {task.metric} {result['score']:.4f} ({result['parameters']} params, "
            f"{result['epochs']} epochs, {result['seconds_per_epoch']:.2f} s/epoch)"
        )
        if on_result is not None:
            on_result(results)
    return results
