"""The command line as a whole: help without TensorFlow, defaults in the help, one-line errors."""

import argparse
import os
import subprocess
import sys

import pytest

from keras_biosyn import benchmarking, recipes
from keras_biosyn_cli import benchmark, common, main, train
from tests.cli.cli import ROOT, SAVED, assert_user_error, run

COMMANDS = sorted(main.SUBCOMMANDS)


def test_help_answers_without_importing_tensorflow():
    script = (
        "import sys\n"
        "from keras_biosyn_cli.main import main\n"
        f"for argv in [['--help'], *[[c, '--help'] for c in {COMMANDS!r}]]:\n"
        "    assert main(argv) == 0, argv\n"
        "heavy = sorted({'tensorflow', 'keras', 'keras_biosyn', 'numpy'} & set(sys.modules))\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    for command in COMMANDS:
        assert f"keras-biosyn {command}" in result.stdout


def _options(parser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, subparser in action.choices.items():
                yield from ((f"{name} {o}", a, subparser) for o, a, _ in _options(subparser))
        elif action.option_strings and action.dest not in ("help", "version"):
            yield action.option_strings[-1], action, parser


def test_every_option_has_help_that_states_its_default():
    parser = main.build_parser()
    options = list(_options(parser))
    assert len(options) > 20
    for name, action, owner in options:
        text = owner._get_formatter()._expand_help(action)
        assert "default" in text or action.required, f"{name}: {text!r}"


def test_names_listed_for_help_are_the_package_ones():
    assert train.WIRINGS == recipes.WIRINGS
    assert benchmark.TASKS == tuple(sorted(benchmarking.TASKS))
    assert benchmark.MODELS == benchmarking.MODELS
    assert set(benchmark.DEFAULT_MODELS) == set(benchmarking.MODELS) - {
        "ncps_ltc",
        "biosyn_ltc_0.1",
        "biosyn_ltc_0.2",
    }
    # the export names are the library's own module, read without importing TensorFlow
    from keras_biosyn.export import vocabulary as library

    vocabulary = common.export_vocabulary()
    assert vocabulary.__file__ == library.__file__
    assert vocabulary.QUANTIZATIONS == library.QUANTIZATIONS == ("float32", "float16", "int8")
    assert vocabulary.EXPORT_LAYOUTS == library.EXPORT_LAYOUTS


def test_usage_errors_are_one_line_that_names_the_flag(capsys):
    assert_user_error(run(capsys, "train", "--learning-rate", "-1"), "train", "--learning-rate")
    assert_user_error(run(capsys, "train", "--neurons", "0"), "train", "--neurons", ">= 1")
    assert_user_error(run(capsys, "train", "--epochs", "two"), "train", "--epochs", "'two'")
    assert_user_error(run(capsys, "train", "--wiring", "star"), "train", "--wiring", "star")
    assert_user_error(run(capsys, "inspect"), "inspect", "MODEL")
    assert_user_error(run(capsys, "export", SAVED), "export", "--out")
    code, _, err = run(capsys)
    assert code == 2 and err.startswith("keras-biosyn: error: ")
    assert run(capsys, "--version")[0] == 0


def test_an_unexpected_failure_is_one_line_and_debug_shows_the_traceback(capsys, monkeypatch):
    def broken(args):
        raise KeyError("no such weight")

    parser = main.build_parser

    def patched():
        built = parser()
        subparsers = next(a for a in built._actions if isinstance(a, argparse._SubParsersAction))
        subparsers.choices["inspect"].set_defaults(run=broken)
        return built

    monkeypatch.setattr(main, "build_parser", patched)
    code, _, err = run(capsys, "inspect", SAVED)
    assert code == 1
    assert err.strip().splitlines() == [
        "keras-biosyn inspect: error: KeyError: 'no such weight' "
        "(run again with --debug for the traceback)"
    ]
    with pytest.raises(KeyError, match="no such weight"):
        main.main(["inspect", str(SAVED), "--debug"])


def test_tensorflow_log_lines_are_silenced_unless_asked_for(tmp_path):
    """A real process: TensorFlow loads and a model is read, and stderr holds only the error."""
    argv = [sys.executable, "-m", "keras_biosyn_cli", "inspect", str(SAVED), "--layer", "nope"]
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    result = subprocess.run(argv, capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "keras-biosyn inspect: error: --layer: Expected `layer` to name one of the BioSynLTC "
        "layers ['biosyn_ltc']. Received: layer='nope'"
    ]
    assert result.stdout == ""
