"""`TestCase`: the layer, serialization, save/load and export checks the cell tests share.

Modelled on keras-hub's `keras_hub/src/tests/test_case.py`, with public `keras`
imports only. A pytest test class inherits it and calls the checks from its
test methods; fixtures (`rng`, `tmp_path`, `wiring`, ...) and
`pytest.mark.parametrize` work on the methods as on plain test functions.

Example:

```python
class TestMyCell(TestCase):
    def test_layer(self, rng):
        self.run_layer_test(
            MyCell,
            init_kwargs={"units": 4},
            input_data=rng.normal(size=(2, 5, 3)).astype("float32"),
            expected_output_shape=(2, 4),
        )
```
"""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest

from tests.testing import assert_keras_round_trip


def _config_json(instance) -> str:
    return json.dumps(instance.get_config(), sort_keys=True)


class TestCase:
    """Base class of the package's test classes (a plain class: pytest collects it).

    It has no test methods of its own: it offers `run_layer_test`,
    `run_serialization_test`, `run_model_saving_test` and `run_export_test`.
    """

    def run_layer_test(
        self,
        cls,
        init_kwargs: dict,
        input_data,
        expected_output_shape: tuple,
        expected_num_trainable_weights: int | None = None,
        expected_num_non_trainable_weights: int | None = None,
        run_training_check: bool = True,
        run_mixed_precision_check: bool = True,
        rnn_kwargs: dict | None = None,
    ):
        """The basic checks of a recurrent cell inside `keras.layers.RNN`.

        Serializes the cell before and after it is built, calls the layer on
        symbolic and on eager inputs (output shape, dtype, finite values,
        weight counts), and optionally fits it for one epoch (finite loss,
        trainable weights move) and runs it under `mixed_float16` (float16
        outputs, float32 weights, finite values).

        Args:
            cls: The cell class.
            init_kwargs: Keyword arguments of `cls`.
            input_data: A float32 array `(batch, time, features)`.
            expected_output_shape: Shape of the layer's output for
                `input_data` (with `rnn_kwargs`).
            expected_num_trainable_weights: Number of the cell's trainable
                weights once built (not checked if `None`).
            expected_num_non_trainable_weights: Number of its non-trainable
                weights once built (not checked if `None`).
            run_training_check: Fit a model of the layer for one epoch.
            run_mixed_precision_check: Run the layer under `mixed_float16`.
            rnn_kwargs: Keyword arguments of `keras.layers.RNN`.

        Returns:
            The eagerly called `keras.layers.RNN` layer.
        """
        rnn_kwargs = rnn_kwargs or {}
        input_data = np.asarray(input_data)
        expected_output_shape = tuple(expected_output_shape)
        self.run_serialization_test(cls(**init_kwargs))

        def check_weights(cell):
            assert cell.built
            if expected_num_trainable_weights is not None:
                assert len(cell.trainable_weights) == expected_num_trainable_weights, [
                    v.name for v in cell.trainable_weights
                ]
            if expected_num_non_trainable_weights is not None:
                assert len(cell.non_trainable_weights) == expected_num_non_trainable_weights, [
                    v.name for v in cell.non_trainable_weights
                ]

        # Symbolic call.
        layer = keras.layers.RNN(cls(**init_kwargs), **rnn_kwargs)
        symbolic = layer(keras.KerasTensor(input_data.shape, dtype=input_data.dtype))
        assert tuple(symbolic.shape) == expected_output_shape
        check_weights(layer.cell)

        # Eager call.
        layer = keras.layers.RNN(cls(**init_kwargs), **rnn_kwargs)
        output = np.asarray(layer(input_data))
        assert output.shape == expected_output_shape
        assert keras.backend.standardize_dtype(output.dtype) == layer.cell.compute_dtype
        assert np.isfinite(output).all()
        check_weights(layer.cell)
        self.run_serialization_test(layer.cell)
        self.run_serialization_test(layer)

        if run_training_check:
            self.run_training_check(layer, input_data, output)
        if run_mixed_precision_check:
            self.run_mixed_precision_check(cls, init_kwargs, input_data, rnn_kwargs)
        return layer

    def run_training_check(self, layer, input_data, output):
        """One epoch of SGD on `Input -> layer`: the loss is finite and the weights move."""
        model = keras.Sequential([keras.Input(input_data.shape[1:]), layer])
        model.compile(keras.optimizers.SGD(0.1), "mse")
        before = [np.array(v.numpy()) for v in layer.trainable_weights]
        history = model.fit(
            input_data, output + 1.0, epochs=1, batch_size=len(input_data), verbose=0
        )
        assert np.isfinite(history.history["loss"]).all(), history.history
        after = [v.numpy() for v in layer.trainable_weights]
        assert any(not np.array_equal(b, a) for b, a in zip(before, after, strict=True))

    def run_mixed_precision_check(self, cls, init_kwargs, input_data, rnn_kwargs=None):
        """Under `mixed_float16`: float16 outputs, float32 weights, finite values."""
        layer = keras.layers.RNN(
            cls(**init_kwargs, dtype="mixed_float16"), dtype="mixed_float16", **(rnn_kwargs or {})
        )
        output = layer(input_data)
        assert keras.backend.standardize_dtype(output.dtype) == "float16"
        assert np.isfinite(np.asarray(output, dtype="float32")).all()
        assert layer.cell.compute_dtype == "float16"
        for variable in layer.cell.weights:
            if "float" in variable.dtype:
                assert variable.dtype == "float32", variable.name

    def run_serialization_test(self, instance):
        """Config and JSON round trips give the same class and the same config.

        `cls.from_config(get_config())`, then
        `keras.saving.serialize_keras_object` -> `json.dumps` -> `json.loads`
        -> `keras.saving.deserialize_keras_object`, as in a `.keras` file.

        Args:
            instance: A registered serializable (a cell, a layer, a wiring).

        Returns:
            The instance revived from JSON.
        """
        cls = type(instance)
        expected = _config_json(instance)
        revived = cls.from_config(instance.get_config())
        assert type(revived) is cls
        assert _config_json(revived) == expected
        serialized = json.dumps(keras.saving.serialize_keras_object(instance))
        revived = keras.saving.deserialize_keras_object(json.loads(serialized))
        assert type(revived) is cls
        assert _config_json(revived) == expected
        return revived

    def run_model_saving_test(self, model, input_data, tmp_path):
        """A `.keras` save and load gives identical outputs and weights.

        Returns:
            The loaded model.
        """
        return assert_keras_round_trip(model, input_data, tmp_path)

    def run_export_test(self, model, input_data, tmp_path, max_error=1e-5, **export_kwargs):
        """A builtin-ops TFLite export that LiteRT runs like Keras, within `max_error`.

        Exports with `keras_biosyn.export.export_tflite` (float32 streaming by
        default), checks the file uses builtin ops only, and runs it with
        `keras_biosyn.export.compare` over `input_data`. Skipped when
        `ai_edge_litert` is missing or the backend is not TensorFlow.

        Args:
            model: A built Keras model that can be exported.
            input_data: Sequences `(batch, time, features)`.
            tmp_path: Directory of the `.tflite` file.
            max_error: Bound on the step and final absolute errors.
            **export_kwargs: Keyword arguments of `export_tflite`.

        Returns:
            The dict `compare` returns.
        """
        pytest.importorskip("ai_edge_litert")
        if keras.config.backend() != "tensorflow":
            pytest.skip("TFLite export needs the TensorFlow backend")
        from keras_biosyn.export import compare, export_tflite, tflite_ops

        path = export_tflite(model, tmp_path / "model.tflite", **export_kwargs)
        ops_used = set(tflite_ops(path))
        assert not any(op.startswith("Flex") or op == "CUSTOM" for op in ops_used), ops_used
        result = compare(model, path, input_data)
        assert result["max_abs_error"] < max_error, result
        assert result["final_max_abs_error"] < max_error, result
        return result
