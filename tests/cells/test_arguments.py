"""Every cell names its arguments in its signature and documents each once, the same way."""

import inspect
import re

import keras
import pytest

from keras_biosyn.cells import BioSynLTCCell, CTRNNCell, WiredCell

CELLS = (WiredCell, BioSynLTCCell, CTRNNCell)
# What `WiredCell` handles, every cell accepts and documents.
SHARED = (
    "units",
    "output_size",
    "ode_unfolds",
    "solver",
    "input_mapping",
    "output_mapping",
    "time_input",
    "epsilon",
)
# Shared arguments whose default a subclass sets otherwise (its docstring says so).
OWN_DEFAULTS = {CTRNNCell: ("ode_unfolds", "solver"), BioSynLTCCell: ("input_mapping",)}


def named_arguments(cls) -> dict[str, inspect.Parameter]:
    """The arguments of `cls.__init__` other than `self` and `**kwargs`."""
    parameters = inspect.signature(cls.__init__).parameters.values()
    return {p.name: p for p in parameters if p.name != "self" and p.kind is not p.VAR_KEYWORD}


def documented_arguments(cls) -> dict[str, str]:
    """`name -> description` from the `Args:` section of `cls`'s docstring.

    An entry may name several arguments (`a, b: ...`); each gets the entry's text.
    """
    doc = inspect.cleandoc(cls.__doc__)
    section = re.search(r"^Args:\n(.*?)(?:\n\n|\Z)", doc, re.S | re.M).group(1)
    entries = re.split(r"\n(?=    \S)", section)
    documented = {}
    for entry in entries:
        names, _, text = " ".join(entry.split()).partition(": ")
        for name in names.split(", "):
            assert name not in documented, f"{cls.__name__} documents {name!r} twice"
            documented[name] = text
    return documented


def spelled(default) -> str:
    """A default as a docstring writes it: `"exponential"`, `6`, `None`."""
    return f'"{default}"' if isinstance(default, str) else repr(default)


@pytest.mark.parametrize("cls", CELLS)
def test_the_signature_names_every_argument_the_config_stores(cls):
    """Only base layer arguments (`name`, `dtype`, `trainable`) pass through `**kwargs`."""
    base = set(keras.layers.Layer().get_config())
    stored = set(cls(4).get_config()) - base
    assert stored == set(named_arguments(cls))
    assert set(SHARED) <= stored


@pytest.mark.parametrize("cls", CELLS)
def test_every_argument_is_documented_once(cls):
    documented = documented_arguments(cls)
    assert set(documented) == {*named_arguments(cls), "**kwargs"}


@pytest.mark.parametrize("cls", [BioSynLTCCell, CTRNNCell])
def test_shared_arguments_have_the_base_class_defaults_and_descriptions(cls):
    """A subclass repeats `WiredCell`'s description of each shared argument word for word."""
    own = OWN_DEFAULTS.get(cls, ())
    base_arguments, arguments = named_arguments(WiredCell), named_arguments(cls)
    base_docs, docs = documented_arguments(WiredCell), documented_arguments(cls)
    for name in SHARED:
        if name in own:
            assert arguments[name].default != base_arguments[name].default, name
            assert spelled(arguments[name].default) in docs[name], name
        else:
            assert arguments[name].default == base_arguments[name].default, name
            assert docs[name] == base_docs[name], name
