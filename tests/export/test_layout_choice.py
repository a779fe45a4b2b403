"""`export_layout="fastest"`: both layouts converted, timed in LiteRT, the faster one written."""

import numpy as np
import pytest

from keras_biosyn.export import (
    compare,
    export_tflite,
    fastest_export_layout,
    litert_microseconds,
    tflite_flatbuffer,
    tflite_ops,
)
from tests.export.test_tflite_export import classifier


@pytest.mark.slow  # ~15-20 s: times both layouts in LiteRT
def test_a_sparse_model_gets_the_layout_litert_runs_faster(tmp_path):
    model = classifier("auto_ncp")  # sparse cell: two layouts exist
    choice = fastest_export_layout(model, invokes=20, rounds=3)
    assert sorted(choice.microseconds) == ["dense", "model"]
    assert all(value > 0 for value in choice.microseconds.values())
    assert choice.layout == min(choice.microseconds, key=choice.microseconds.get)
    # each candidate is the file of that layout: the dense one has no sparse ops
    assert choice.flatbuffers["dense"] != choice.flatbuffers["model"]
    assert "UNSORTED_SEGMENT_SUM" in tflite_ops(choice.flatbuffers["model"])
    assert "UNSORTED_SEGMENT_SUM" not in tflite_ops(choice.flatbuffers["dense"])
    written = export_tflite(model, tmp_path / "fastest.tflite", export_layout="fastest")
    # it says which layout it wrote, and the timings it chose by
    assert sorted(written.litert_microseconds) == ["dense", "model"]
    assert written.export_layout == min(
        written.litert_microseconds, key=written.litert_microseconds.get
    )
    path = written.path
    assert path.read_bytes() == choice.flatbuffers[written.export_layout]
    x = np.random.default_rng(0).normal(size=(2, 30, 4)).astype("float32")
    assert compare(model, path, x)["max_abs_error"] < 1e-5


def test_a_dense_model_has_one_layout_and_is_not_timed():
    model = classifier("fully_connected")
    choice = fastest_export_layout(model)
    assert choice.layout == "dense" and choice.microseconds == {}
    assert choice.flatbuffer == tflite_flatbuffer(model)


def test_litert_timing_times_every_model_given():
    model = classifier("fully_connected")
    flatbuffer = tflite_flatbuffer(model)
    times = litert_microseconds({"a": flatbuffer, "b": flatbuffer}, invokes=10, rounds=2)
    assert sorted(times) == ["a", "b"] and min(times.values()) > 0


def test_an_unknown_layout_is_named_in_the_error(tmp_path):
    with pytest.raises(ValueError, match=r"export_layout.*'fastest'.*Received.*'quick'"):
        export_tflite(classifier("auto_ncp"), tmp_path / "x.tflite", export_layout="quick")
    assert not (tmp_path / "x.tflite").exists()
