import numpy as np
import pytest
import tensorflow_datasets as tfds

from keras_biosyn.datasets import load_japanese_vowels
from keras_biosyn.datasets.tfds_builders import BUILDERS


def test_builders_are_registered_under_biosyn_names():
    assert set(BUILDERS) == {
        "biosyn_japanese_vowels",
        "biosyn_japanese_vowels_irregular",
        "biosyn_basic_motions",
        "biosyn_osu_leaf",
        "biosyn_acsf1",
        "biosyn_electricity_demand",
        "biosyn_warsaw_air_quality",
        "biosyn_half_cheetah",
        "biosyn_hopper",
    }
    assert set(BUILDERS) <= set(tfds.list_builders())


def test_tfds_load_prepares_the_embedded_set_offline(tmp_path):
    train = tfds.load(
        "biosyn_japanese_vowels", split="train", data_dir=str(tmp_path), as_supervised=True
    )
    examples = list(tfds.as_numpy(train))
    expected = load_japanese_vowels()["train"]
    assert len(examples) == len(expected.y)
    xs = np.stack(sorted((x for x, _ in examples), key=lambda a: a.tobytes()))
    ref = np.stack(sorted(expected.x, key=lambda a: a.tobytes()))
    np.testing.assert_array_equal(xs, ref)


@pytest.mark.parametrize(
    "name", ["biosyn_electricity_demand", "biosyn_warsaw_air_quality", "biosyn_half_cheetah"]
)
def test_feature_specs_with_mock_data(name, tmp_path):
    with tfds.testing.mock_data(num_examples=3, data_dir=str(tmp_path)):
        dataset = tfds.load(name, split="train")
        for example in tfds.as_numpy(dataset):
            assert example["x"].dtype == np.float32 and example["x"].ndim == 2
            assert example["y"].dtype == np.float32
