import re

import keras_biosyn
from keras_biosyn import wirings


def test_public_api_is_listed_once():
    assert sorted(keras_biosyn.__all__) == sorted(set(keras_biosyn.__all__))
    for name in keras_biosyn.__all__:
        assert hasattr(keras_biosyn, name), name
    for name in wirings.__all__:
        assert hasattr(wirings, name), name
    assert {"BioSynLTCCell", "wirings"} <= set(keras_biosyn.__all__)


def test_version_is_the_single_source():
    from keras_biosyn.version import __version__

    assert keras_biosyn.__version__ == __version__
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)
