import ast
import re
from pathlib import Path

import keras_biosyn
import keras_biosyn_cli
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


def test_each_public_api_list_names_what_its_module_binds():
    """Every `__all__` of the package and the CLI lists, once each, names its module binds."""
    roots = [Path(keras_biosyn.__file__).parent, Path(keras_biosyn_cli.__file__).parent]
    checked = 0
    for path in sorted(p for root in roots for p in root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        bound, listed = set(), None
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                bound.add(node.name)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                bound.update((a.asname or a.name).split(".")[0] for a in node.names)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                    if isinstance(target, ast.Name) and target.id == "__all__":
                        listed = [ast.literal_eval(e) for e in node.value.elts]
                    elif isinstance(target, ast.Name):
                        bound.add(target.id)
        if listed is None:
            continue
        checked += 1
        assert len(listed) == len(set(listed)), f"{path}: {listed}"
        assert set(listed) <= bound, f"{path}: {sorted(set(listed) - bound)} not bound"
    assert checked > 10
