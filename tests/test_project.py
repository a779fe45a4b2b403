"""The project's promises about itself: README commands and CI agree."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands():
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```(?:bash|sh)\n(.*?)```", readme, flags=re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_readme_gives_the_main_job_and_test_commands():
    commands = _readme_commands()
    assert any("keras-biosyn train" in c and "pip install" in c for c in commands)
    assert any("pytest" in c and '".[test]"' in c for c in commands)


def test_ci_runs_the_readme_test_command_verbatim():
    ci = (ROOT / ".ci" / "run").read_text()
    test_command = next(c for c in _readme_commands() if "pytest" in c and "[test]" in c)
    # The README line may start with an environment setup; CI owns its own venv.
    core = test_command.split("&& ", 2)[-1] if "venv" in test_command else test_command
    assert core in ci, f"CI does not run the README test command: {core!r}"
    assert "-eq 5" in ci  # pytest's "no tests collected" is handled


def test_ci_runs_the_backend_checks_with_their_extras():
    ci = (ROOT / ".ci" / "run").read_text()
    pyproject = (ROOT / "pyproject.toml").read_text()
    # deselected from the README's test command, run apart by CI
    assert "-m 'not notebook and not backends and not slow'" in pyproject
    assert ci.index("python -m pytest -m slow") < ci.index("ruff")
    install = ci.index('pip install ".[jax,torch]"')
    assert install < ci.index("python -m pytest -m backends tests/backends") < ci.index("ruff")
    assert ci.index("python -m pytest -m notebook tests/tutorials") < ci.index("ruff")


def test_readme_python_example_runs(tmp_path, monkeypatch):
    readme = (ROOT / "README.md").read_text()
    example = re.findall(r"```python\n(.*?)```", readme, flags=re.S)[0]
    monkeypatch.chdir(tmp_path)
    exec(compile(example, "README.md", "exec"), {})
    assert (tmp_path / "ltc.keras").exists()


def test_ci_runs_the_commands_on_the_readme_install():
    """The base-install stage installs exactly what the README's main command installs."""
    ci = (ROOT / ".ci" / "run").read_text()
    stage = (ROOT / ".ci" / "check_base_install").read_text()
    main_command = next(c for c in _readme_commands() if "keras-biosyn train" in c)
    assert "pip install . &&" in main_command
    assert ".ci/check_base_install" in ci and ci.index(".ci/check_base_install") < ci.index("ruff")
    installs = [line.strip() for line in stage.splitlines() if line.strip().startswith("pip ")]
    assert installs == ["pip install --quiet ."]
    for command in ("train", "inspect", "export", "prune", "benchmark"):
        assert f"keras-biosyn {command} " in stage


def _markdown_slugs(text):
    """The anchors GitHub gives a Markdown file's headings."""
    slugs, seen = set(), {}
    for line in re.sub(r"```.*?```", "", text, flags=re.S).splitlines():
        heading = re.match(r"#{1,6}\s+(.*)", line)
        if heading:
            slug = re.sub(r"[^\w\- ]", "", heading.group(1).strip().lower()).replace(" ", "-")
            count = seen.get(slug, 0)
            seen[slug] = count + 1
            slugs.add(slug if count == 0 else f"{slug}-{count}")
    return slugs


def test_documentation_links_resolve():
    """Every relative link of the README and the docs names a file (and heading) that exists."""
    pages = ["README.md", "CHANGELOG.md", "benchmarks/README.md", "tutorials/README.md"]
    pages += [str(path.relative_to(ROOT)) for path in sorted((ROOT / "docs").glob("*.md"))]
    broken = []
    for page in pages:
        source = ROOT / page
        text = re.sub(r"```.*?```", "", source.read_text(), flags=re.S)
        for target in re.findall(r"\[[^\]]*\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target):
                continue  # a web address
            file, _, anchor = target.partition("#")
            path = (source.parent / file) if file else source
            if not path.exists():
                broken.append(f"{page}: {target}")
            elif anchor and path.suffix == ".md":
                if anchor not in _markdown_slugs(path.read_text()):
                    broken.append(f"{page}: {target}")
    assert broken == [], f"Links that do not resolve: {broken}"
