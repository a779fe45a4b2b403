"""All-or-nothing outputs: atomic files, staged directories that replace a set whole, checksums."""

import hashlib
import os
import subprocess

import pytest

from keras_biosyn.utils import files
from keras_biosyn.utils.files import (
    file_checksums,
    sha256,
    staged_directory,
    write_atomically,
    write_file_atomically,
)
from tests.testing import snapshot


@pytest.fixture
def previous_set(tmp_path):
    out = tmp_path / "out"
    (out / "model_savedmodel" / "variables").mkdir(parents=True)
    (out / "model_savedmodel" / "saved_model.pb").write_bytes(b"old graph")
    (out / "model_savedmodel" / "variables" / "v.data").write_bytes(b"old weights")
    (out / "model.tflite").write_bytes(b"old tflite")
    (out / "stale.tflite").write_bytes(b"made by an older version")
    (out / "manifest.json").write_text('{"old": true}')
    (out / "notes.txt").write_text("the user's own file")
    return out


def write_new_set(staging):
    (staging / "model_savedmodel").mkdir()
    (staging / "model_savedmodel" / "saved_model.pb").write_bytes(b"new graph")
    (staging / "model.tflite").write_bytes(b"new tflite")
    (staging / "manifest.json").write_text('{"new": true}')


def test_staged_set_replaces_the_previous_one_and_keeps_other_files(previous_set):
    with pytest.raises(ValueError, match="plain names"):
        with staged_directory(previous_set, remove=["../notes.txt"]):
            pass
    with staged_directory(previous_set, remove=["stale.tflite"]) as staging:
        assert staging.parent == previous_set.parent
        write_new_set(staging)
        assert (previous_set / "model.tflite").read_bytes() == b"old tflite"  # not yet
    assert snapshot(previous_set) == {
        "manifest.json": b'{"new": true}',
        "model.tflite": b"new tflite",
        "model_savedmodel": None,
        "model_savedmodel/saved_model.pb": b"new graph",  # the old variables went with it
        "notes.txt": b"the user's own file",
    }
    assert sorted(p.name for p in previous_set.parent.iterdir()) == ["out"]


def test_a_failure_while_writing_leaves_the_previous_set_untouched(previous_set):
    before = snapshot(previous_set)
    with pytest.raises(RuntimeError, match="last step"):
        with staged_directory(previous_set, remove=["stale.tflite"]) as staging:
            write_new_set(staging)
            raise RuntimeError("the last step failed")
    assert snapshot(previous_set) == before
    assert sorted(p.name for p in previous_set.parent.iterdir()) == ["out"]


def test_a_failure_while_moving_into_place_rolls_back(previous_set, monkeypatch):
    before = snapshot(previous_set)
    replace, calls = os.replace, []

    def failing_replace(source, target):
        calls.append(target)
        if len(calls) == 6:  # after the old entries moved away and some new ones moved in
            raise OSError("disk full")
        return replace(source, target)

    monkeypatch.setattr(files.os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        with staged_directory(previous_set, remove=["stale.tflite"]) as staging:
            write_new_set(staging)
    monkeypatch.undo()
    assert snapshot(previous_set) == before
    assert sorted(p.name for p in previous_set.parent.iterdir()) == ["out"]


def test_a_new_destination_appears_whole_with_the_usual_mode(tmp_path):
    destination = tmp_path / "a" / "b"
    with staged_directory(destination) as staging:
        (staging / "x.bin").write_bytes(b"x")
        assert not destination.exists()
    assert snapshot(destination) == {"x.bin": b"x"}
    mask = os.umask(0)
    os.umask(mask)
    assert destination.stat().st_mode & 0o777 == 0o777 & ~mask
    assert sorted(p.name for p in destination.parent.iterdir()) == ["b"]


def test_atomic_writes_leave_nothing_behind_on_failure(tmp_path):
    path = write_file_atomically(tmp_path / "f.bin", b"first")

    def failing(file):
        file.write(b"half")
        raise ValueError("interrupted")

    with pytest.raises(ValueError, match="interrupted"):
        write_atomically(path, failing)
    assert path.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]


def test_checksums_are_what_sha256sum_prints_for_each_file(previous_set):
    listed = file_checksums(previous_set / "model_savedmodel")
    assert [f["file"] for f in listed] == [
        "model_savedmodel/saved_model.pb",
        "model_savedmodel/variables/v.data",
    ]
    for entry in listed:
        path = previous_set / entry["file"]
        printed = subprocess.run(
            ["sha256sum", str(path)], capture_output=True, text=True, check=True
        ).stdout.split()[0]
        assert entry["sha256"] == printed == hashlib.sha256(path.read_bytes()).hexdigest()
        assert entry["size_bytes"] == path.stat().st_size
    assert sha256(previous_set / "model.tflite") == hashlib.sha256(b"old tflite").hexdigest()
