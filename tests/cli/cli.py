"""Running the command line in-process and reading what a user would see."""

from __future__ import annotations

from pathlib import Path

from keras_biosyn_cli.main import main

ROOT = Path(__file__).resolve().parents[2]
SAVED = ROOT / "saved_models" / "japanese_vowels_biosyn_ltc.keras"


def run(capsys, *argv) -> tuple[int, str, str]:
    """`keras-biosyn ARGV...` in this process: (exit status, stdout, stderr)."""
    capsys.readouterr()
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_user_error(result, command: str, *fragments: str):
    """Exit status 2 and one line `keras-biosyn COMMAND: error: ...` holding `fragments`."""
    code, _, err = result
    lines = err.strip().splitlines()
    assert code == 2, result
    assert len(lines) == 1, err
    assert lines[0].startswith(f"keras-biosyn {command}: error: "), err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    assert "Traceback" not in err
