"""The Colab tutorials: paired sources in sync, Colab-ready, and (marked `notebook`) executed.

The executions are deselected from the default run (`-m "not notebook"` in
pyproject.toml); `.ci/run` runs them with `python -m pytest -m notebook`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

jupytext = pytest.importorskip("jupytext")
nbformat = pytest.importorskip("nbformat")

ROOT = Path(__file__).resolve().parents[2]
TUTORIALS = ROOT / "tutorials"
NAMES = sorted(path.stem for path in TUTORIALS.glob("[0-9][0-9]_*.py"))
COLAB = "https://colab.research.google.com/github/keras-biosyn/keras_biosyn/blob/main/tutorials/"
# CI's small mode: a few epochs, a slice of the test set.
SMALL = {"BIOSYN_TUTORIAL_EPOCHS": "4", "BIOSYN_TUTORIAL_SAMPLES": "40"}


def _cells(notebook):
    return [(cell.cell_type, cell.source.strip()) for cell in notebook.cells]


def test_the_six_tutorials_exist():
    assert NAMES == [
        "01_quickstart",
        "02_reading_the_circuit",
        "03_to_the_edge",
        "04_irregular_sampling",
        "05_pruning",
        "06_closed_loop_control",
    ]


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_matches_its_source(name):
    source = jupytext.read(TUTORIALS / f"{name}.py")
    committed = nbformat.read(TUTORIALS / f"{name}.ipynb", as_version=4)
    assert _cells(committed) == _cells(source), (
        f"tutorials/{name}.ipynb is out of date: run `jupytext --sync tutorials/{name}.py`"
    )


@pytest.mark.parametrize("name", NAMES)
def test_notebook_opens_in_colab_and_installs_itself(name):
    notebook = nbformat.read(TUTORIALS / f"{name}.ipynb", as_version=4)
    badge, install = notebook.cells[0], notebook.cells[1]
    assert badge.cell_type == "markdown"
    assert f"({COLAB}{name}.ipynb)" in badge.source
    assert "colab-badge.svg" in badge.source
    assert install.cell_type == "code"
    # installs only where keras_biosyn is missing (Colab), from the repository
    assert 'find_spec("keras_biosyn") is None' in install.source
    assert "git+https://github.com/keras-biosyn/keras_biosyn" in install.source
    # committed without outputs, so the diff is the source
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")


@pytest.mark.parametrize("name", NAMES)
def test_sizes_come_from_environment_variables(name):
    source = (TUTORIALS / f"{name}.py").read_text()
    assert re.search(r'os\.environ\.get\("BIOSYN_TUTORIAL_EPOCHS"', source)


def test_readme_links_every_tutorial():
    readme = (ROOT / "README.md").read_text()
    for name in NAMES:
        assert f"tutorials/{name}.ipynb" in readme


@pytest.mark.notebook
@pytest.mark.parametrize("name", NAMES)
def test_tutorial_runs_top_to_bottom(name, monkeypatch):
    """Runs the committed notebook in a fresh kernel; its own asserts check the results."""
    nbclient = pytest.importorskip("nbclient")
    for key, value in SMALL.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")
    notebook = nbformat.read(TUTORIALS / f"{name}.ipynb", as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(TUTORIALS)}},
    )
    client.execute()
    errors = [
        output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    assert not errors
