"""Scores of predictions, shared by the main job, the saved-model checks and the benchmark."""

from __future__ import annotations

import numpy as np

__all__ = ["accuracy"]


def accuracy(probabilities, labels) -> float:
    """Fraction of rows whose largest output is the label.

    Args:
        probabilities: Class scores `(..., classes)` (probabilities or logits).
        labels: Integer labels `(...)`.

    Returns:
        The accuracy as a Python float.

    Example:

    >>> accuracy([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]], [0, 1, 1])
    0.6666666666666666
    """
    return float(np.mean(np.argmax(np.asarray(probabilities), axis=-1) == np.asarray(labels)))
