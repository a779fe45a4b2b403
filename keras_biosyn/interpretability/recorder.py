"""`CoefficientRecorder`: records the linear system's coefficients during `fit`."""

from __future__ import annotations

import os
from pathlib import Path

import keras
import numpy as np

from keras_biosyn.interpretability.layer_selection import select_layers
from keras_biosyn.interpretability.recording import record_files, record_path
from keras_biosyn.interpretability.sequence import SequenceRunner, coefficient_names
from keras_biosyn.utils.backend import require_backend
from keras_biosyn.utils.files import write_atomically
from keras_biosyn.utils.validation import check_int

__all__ = ["CoefficientRecorder"]


class CoefficientRecorder(keras.callbacks.Callback):
    """Records the coefficients of the linear system on a fixed probe batch during `fit`.

    At the chosen frequency the recorder evaluates
    `keras_biosyn.interpretability.sequence_coefficients` on `probe_inputs`
    for each recorded BioSynLTC layer. Each record holds `epoch` (epochs
    completed; 0 is before training), `batch` (batches completed in that
    epoch, or -1 at an epoch's end) and one array per layer and coefficient,
    shape `(probe_batch, time, ...)`.

    Records go to three places:
    - `.history`: a dict in the style of `keras.callbacks.History`, with lists
      under `"epoch"`, `"batch"` and `"<layer>/<coefficient>"`, holding the
      last `max_records` records, so memory stays bounded whatever the number
      of epochs;
    - `save_path` (optional): a directory with one `record_NNNNNN.npz` per
      record, each written to a temporary file and renamed, so everything
      recorded survives an interrupted run; a resumed run (for example with
      `keras.callbacks.BackupAndRestore`) continues the numbering. Read it
      back with `keras_biosyn.interpretability.load_recording`;
    - `log_dir` (optional, TensorFlow backend only, needs the `tensorboard`
      extra; other backends raise `RuntimeError`): TensorBoard histograms of
      `tau` and the conductances, and images of the conductance matrices
      averaged over the probe batch and time.

    Arguments are checked when training starts (probe shape, layer names, a
    model without BioSynLTC layers), before the first epoch runs.

    Args:
        probe_inputs: A fixed batch of model inputs `(batch, time, features)`.
            Keep it small: it is run at every record.
        layer: Name of the BioSynLTC layer to record, or `None` for all.
        every_n_epochs: Record after every `n`-th epoch.
        every_n_batches: If set, record every `n` training batches instead.
        save_path: Directory for the `.npz` records (created if needed).
        log_dir: TensorBoard log directory (TensorFlow backend only; elsewhere a
            `RuntimeError` is raised here).
        max_records: Records kept in `.history` (oldest dropped first).
        coefficients: Names to record (default: all of
            `keras_biosyn.ops.COEFFICIENTS`).
        record_initial: Also record before the first epoch (skipped when
            resuming into a `save_path` that already holds records).

    Example:

    ```python
    recorder = keras_biosyn.CoefficientRecorder(x_train[:8], save_path="coefficients")
    model.fit(x_train, y_train, epochs=10, callbacks=[recorder])
    recorder.history["biosyn_ltc/tau"][-1].shape       # (8, time, units)
    ```
    """

    def __init__(
        self,
        probe_inputs,
        layer: str | None = None,
        every_n_epochs: int = 1,
        every_n_batches: int | None = None,
        save_path: str | os.PathLike | None = None,
        log_dir: str | os.PathLike | None = None,
        max_records: int = 50,
        coefficients=None,
        record_initial: bool = True,
    ):
        super().__init__()
        self.probe_inputs = np.asarray(probe_inputs)
        if self.probe_inputs.ndim != 3:
            raise ValueError(
                "Expected `probe_inputs` of shape (batch, time, features). "
                f"Received: probe_inputs of shape {self.probe_inputs.shape}"
            )
        if layer is not None and not isinstance(layer, str):
            raise TypeError(f"Expected `layer` to be a layer name or None. Received: {layer!r}")
        self.layer = layer
        self.every_n_epochs = check_int("every_n_epochs", every_n_epochs, minimum=1)
        self.every_n_batches = (
            None
            if every_n_batches is None
            else check_int("every_n_batches", every_n_batches, minimum=1)
        )
        self.save_path = None if save_path is None else Path(save_path)
        if log_dir is not None:
            require_backend("CoefficientRecorder(log_dir=...) (TensorBoard summaries)")
        self.log_dir = None if log_dir is None else Path(log_dir)
        self.max_records = check_int("max_records", max_records, minimum=1)
        self.coefficients = coefficient_names(coefficients)
        self.record_initial = bool(record_initial)
        self.history = {}
        self._runners = {}
        self._runners_for = None
        self._next_index = 0
        self._epoch = 0
        self._writer = None

    # -- setup ---------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        layers = select_layers(self.model, self.layer)
        if self._runners_for is not self.model or set(self._runners) != set(layers):
            # Built once per model: a later `fit` on the same model reuses the
            # compiled coefficient functions.
            self._runners = {
                name: SequenceRunner(self.model, rnn, self.coefficients)
                for name, rnn in layers.items()
            }
            self._runners_for = self.model
        self._probe = {
            name: runner.layer_inputs(self.probe_inputs) for name, runner in self._runners.items()
        }
        self.history = {"epoch": [], "batch": []}
        for name in self._runners:
            for coefficient in self.coefficients:
                self.history[f"{name}/{coefficient}"] = []
        resumed = False
        if self.save_path is not None:
            self.save_path.mkdir(parents=True, exist_ok=True)
            existing = record_files(self.save_path)
            resumed = bool(existing)
            self._next_index = existing[-1][0] + 1 if existing else 0
        if self.log_dir is not None:
            self._writer = _summary_writer(self.log_dir)
        if self.record_initial and not resumed:
            self.record(epoch=0, batch=-1)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.every_n_batches is not None and (batch + 1) % self.every_n_batches == 0:
            self.record(epoch=self._epoch, batch=batch + 1)

    def on_epoch_end(self, epoch, logs=None):
        if self.every_n_batches is None and (epoch + 1) % self.every_n_epochs == 0:
            self.record(epoch=epoch + 1, batch=-1)

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.flush()

    # -- recording ----------------------------------------------------------------
    def record(self, epoch: int, batch: int) -> dict:
        """Takes one record now: evaluates the coefficients on the probe batch and stores them.

        Called by the training hooks at the chosen frequency (after
        `on_train_begin` has set the recorder up for `self.model`). The record
        is appended to `.history`, written to `save_path` and to `log_dir`
        when they are set.

        Args:
            epoch: Epochs completed (0 is before training).
            batch: Batches completed in that epoch, or -1 at an epoch's end.

        Returns:
            The record: `"epoch"`, `"batch"` and one NumPy array per
            `"<layer>/<coefficient>"`.
        """
        record = {"epoch": np.asarray(epoch), "batch": np.asarray(batch)}
        for name, runner in self._runners.items():
            values = runner.run(
                self._probe[name], batch_size=len(self.probe_inputs), time_chunk=256
            )
            for coefficient, array in values.items():
                record[f"{name}/{coefficient}"] = array
        for key, value in record.items():
            self.history[key].append(value.item() if value.ndim == 0 else value)
            del self.history[key][: -self.max_records]
        if self.save_path is not None:
            write_atomically(
                record_path(self.save_path, self._next_index),
                lambda file: np.savez(file, **record),
            )
        if self._writer is not None:
            _write_summaries(self._writer, record, self._runners, self._next_index)
        self._next_index += 1
        return record


def _summary_writer(log_dir: Path):
    try:
        import tensorboard  # noqa: F401  (tf.summary needs it to write anything)
    except ImportError as error:
        raise ImportError(
            "CoefficientRecorder(log_dir=...) needs TensorBoard: "
            'pip install "keras-biosyn[tensorboard]"'
        ) from error
    import tensorflow as tf

    return tf.summary.create_file_writer(str(log_dir))


def _write_summaries(writer, record, runners, step):
    import tensorflow as tf

    with writer.as_default(step=step):
        tf.summary.scalar("coefficients/epoch", float(record["epoch"]))
        for name in runners:
            for coefficient in ("tau", "conductance", "sensory_conductance"):
                key = f"{name}/{coefficient}"
                if key not in record:
                    continue
                tf.summary.histogram(key, record[key])
                if coefficient != "tau":
                    matrix = record[key].mean(axis=(0, 1))
                    scale = matrix.max() or 1.0
                    tf.summary.image(f"{key}_matrix", (matrix / scale)[None, :, :, None])
