"""Serving SavedModel export: loads with `tf.saved_model.load`, no keras_biosyn needed."""

from __future__ import annotations

from pathlib import Path

from keras_biosyn.utils.backend import require_backend
from keras_biosyn.utils.files import check_destination, write_directory_atomically


def export_saved_model(model, path, overwrite: bool = False) -> Path:
    """Exports `model` as a TensorFlow SavedModel with a `serve` endpoint.

    The SavedModel holds the computation graph and the weights only: it loads
    with `tf.saved_model.load(path).serve(x)` (or TF Serving) in a process
    that never imports keras_biosyn. The batch dimension stays free. The
    directory is written beside `path` and renamed into place when complete.

    Args:
        model: A built Keras model.
        path: Destination directory.
        overwrite: Replace an existing directory.

    Returns:
        The path written.

    Example:

    ```python
    export_saved_model(model, "ltc_savedmodel")
    # elsewhere: tf.saved_model.load("ltc_savedmodel").serve(x)
    ```
    """
    require_backend("SavedModel export")
    path = check_destination(path, overwrite)

    def write(directory: Path):
        model.export(str(directory), format="tf_saved_model", verbose=False)

    return write_directory_atomically(path, write)
