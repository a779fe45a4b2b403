import numpy as np
import pytest

from keras_biosyn.datasets import load_japanese_vowels
from keras_biosyn.datasets.japanese_vowels import MAX_LENGTH, NUM_CLASSES, NUM_FEATURES


def test_splits_shapes_and_labels():
    splits = load_japanese_vowels()
    assert list(splits) == ["train", "validation", "test"]
    sizes = {name: len(split.y) for name, split in splits.items()}
    assert sizes == {"train": 216, "validation": 54, "test": 370}
    for split in splits.values():
        assert split.x.shape[1:] == (MAX_LENGTH, NUM_FEATURES)
        assert split.x.dtype == np.float32
        assert set(np.unique(split.y)) <= set(range(NUM_CLASSES))
        assert ((split.length >= 7) & (split.length <= MAX_LENGTH)).all()
    # The validation draw is stratified: 6 of the 30 utterances of each speaker.
    np.testing.assert_array_equal(np.bincount(splits["validation"].y), np.full(9, 6))


def test_padding_is_zero_and_steps_inside_are_not():
    for split in load_japanese_vowels().values():
        steps = np.arange(MAX_LENGTH)[None, :]
        padded = steps >= split.length[:, None]
        assert not split.x[padded].any()
        assert np.abs(split.x[~padded]).sum(axis=-1).min() > 0


def test_normalization_uses_training_statistics_only():
    splits = load_japanese_vowels()
    train = splits["train"]
    valid = np.arange(MAX_LENGTH)[None, :] < train.length[:, None]
    np.testing.assert_allclose(train.x[valid].mean(0), 0.0, atol=1e-5)
    np.testing.assert_allclose(train.x[valid].std(0), 1.0, atol=1e-4)
    raw = load_japanese_vowels(normalize=False)
    assert raw["test"].x[0, 0, 0] != splits["test"].x[0, 0, 0]


def test_no_validation_split_and_bad_fraction():
    splits = load_japanese_vowels(validation_fraction=0.0)
    assert list(splits) == ["train", "test"] and len(splits["train"].y) == 270
    with pytest.raises(ValueError, match=r"validation_fraction.*1\.5"):
        load_japanese_vowels(validation_fraction=1.5)
