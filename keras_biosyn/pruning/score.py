"""The score `prune(max_drop=...)` holds up: the first compiled metric, else the loss."""

from __future__ import annotations

from dataclasses import dataclass

import keras

# Metric names (substrings, lower case) where a higher value is better; any other
# metric, and the loss, is better lower.
HIGHER_IS_BETTER = ("acc", "auc", "precision", "recall", "f1", "r2", "iou")


@dataclass(frozen=True)
class Score:
    """A model's score on a dataset.

    Attributes:
        name: The metric's name as `model.evaluate(return_dict=True)` gives it.
        value: Its value.
        higher_is_better: Whether a larger value is better.
    """

    name: str
    value: float
    higher_is_better: bool

    def drop_to(self, other: Score) -> float:
        """How much worse `other` is than this score (negative when it is better).

        Example:

        >>> round(Score("accuracy", 0.9, True).drop_to(Score("accuracy", 0.8, True)), 6)
        0.1
        """
        change = self.value - other.value
        return change if self.higher_is_better else -change


def evaluate_score(model: keras.Model, inputs, labels, batch_size: int = 64) -> Score:
    """`model.evaluate`'s first compiled metric on `(inputs, labels)`, or its loss.

    The score is the first entry of `model.evaluate(..., return_dict=True)`
    other than `"loss"` (e.g. `"accuracy"`), or the loss when the model was
    compiled without metrics. Metrics whose name contains one of
    `HIGHER_IS_BETTER` are better higher; the loss and other metrics (MSE,
    MAE, ...) are better lower.

    Args:
        model: A compiled Keras model.
        inputs: Its inputs.
        labels: The targets.
        batch_size: Batch size of `evaluate`.

    Returns:
        A `Score`.

    Example:

    ```python
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    evaluate_score(model, x, y).name                 # "accuracy"
    ```
    """
    if not getattr(model, "compiled", False):
        raise ValueError(
            "Expected a compiled model (its loss or first metric is the score). "
            f"Received: an uncompiled model {model.name!r}"
        )
    results = model.evaluate(inputs, labels, batch_size=batch_size, verbose=0, return_dict=True)
    names = [name for name in results if name != "loss"] or ["loss"]
    name = names[0]
    higher = name != "loss" and any(word in name.lower() for word in HIGHER_IS_BETTER)
    return Score(name, float(results[name]), higher)
