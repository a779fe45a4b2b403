"""`GradualPruning`: removes synapses step by step while a model trains."""

from __future__ import annotations

import keras

from keras_biosyn.interpretability.layer_selection import select_layer
from keras_biosyn.pruning.graph import keep_count, strongest_synapses, synapse_total
from keras_biosyn.pruning.importance import IMPORTANCES, importance_scores
from keras_biosyn.utils.validation import check_choice, check_float, check_int


class GradualPruning(keras.callbacks.Callback):
    """Prunes the weakest synapses at the end of epochs, down to `final_keep`.

    After each epoch from `start_epoch` to `end_epoch` (0-based, inclusive)
    the fraction of the synapses present at the start of training that is
    kept follows the cubic schedule of Zhu & Gupta (2017),
    `final_keep + (1 - final_keep) * (1 - progress) ** 3`, `progress` going
    from `1 / (end_epoch - start_epoch + 1)` to 1: the importance is measured
    on `data` with the current weights and the weakest synapses are removed
    by zeroing the cell's `adjacency` and `sensory_adjacency` weights (in
    place: this is the model being trained). Both layouts honour a zeroed
    adjacency entry, but a sparse cell keeps computing the removed synapses'
    zeros; `keras_biosyn.pruning.prune(model, data, keep=1.0)` afterwards
    gives a copy that computes only the remaining ones.

    Args:
        data: Inputs `(batch, time, features)` (or `(inputs, labels)`) to
            measure the importance on.
        final_keep: Fraction of the synapses to keep at `end_epoch`, in (0, 1].
        start_epoch: First epoch after which synapses are removed.
        end_epoch: Last one (the schedule reaches `final_keep` there).
        layer: Name of the BioSynLTC layer; may be omitted when there is one.
        importance: One of `keras_biosyn.pruning.IMPORTANCES`.
        seed: Seed of the tie-break and of `"random"`.

    Attributes:
        history: One dict per pruning epoch: `epoch`, `keep`, `synapses`.

    Example:

    ```python
    pruning = GradualPruning(x_train[:64], final_keep=0.3, start_epoch=2, end_epoch=8)
    model.fit(x_train, y_train, epochs=12, callbacks=[pruning])
    pruning.history[-1]["synapses"]                 # 30 % of those at the start
    ```
    """

    def __init__(
        self,
        data,
        final_keep: float,
        start_epoch: int = 0,
        end_epoch: int = 0,
        layer: str | None = None,
        importance: str = "current",
        seed: int = 0,
    ):
        super().__init__()
        self.data = data
        self.final_keep = check_float("final_keep", final_keep, 0.0, 1.0, min_inclusive=False)
        self.start_epoch = check_int("start_epoch", start_epoch, minimum=0)
        self.end_epoch = check_int("end_epoch", end_epoch, minimum=self.start_epoch)
        self.layer = layer
        self.importance = check_choice("importance", importance, IMPORTANCES)
        self.seed = check_int("seed", seed, minimum=0)
        self.history = []
        self._total = None

    def keep_at(self, epoch: int) -> float | None:
        """The fraction kept after `epoch`, or `None` outside the pruning epochs.

        Example:

        >>> GradualPruning(None, 0.5, 0, 1).keep_at(0)
        0.5625
        """
        if not self.start_epoch <= epoch <= self.end_epoch:
            return None
        progress = (epoch - self.start_epoch + 1) / (self.end_epoch - self.start_epoch + 1)
        return self.final_keep + (1.0 - self.final_keep) * (1.0 - progress) ** 3

    def on_train_begin(self, logs=None):
        cell = select_layer(self.model, self.layer).cell
        self._total = synapse_total(cell.adjacency.numpy(), cell.sensory_adjacency.numpy())

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        keep = self.keep_at(epoch)
        if keep is None:
            return
        rnn = select_layer(self.model, self.layer)
        cell = rnn.cell
        adjacency, sensory = cell.adjacency.numpy(), cell.sensory_adjacency.numpy()
        count = keep_count(keep, self._total)
        if count < synapse_total(adjacency, sensory):
            scores = importance_scores(self.model, self.data, self.importance, rnn.name, self.seed)
            masks = strongest_synapses(scores, adjacency, sensory, count, self.seed)
            cell.adjacency.assign(adjacency * masks[0])
            cell.sensory_adjacency.assign(sensory * masks[1])
        synapses = synapse_total(cell.adjacency.numpy(), cell.sensory_adjacency.numpy())
        self.history.append({"epoch": epoch, "keep": keep, "synapses": synapses})
        logs["synapses"] = synapses
