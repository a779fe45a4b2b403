"""The import directions of `docs/architecture.md`, checked on the source code.

Every `.py` file of `keras_biosyn/` and `keras_biosyn_cli/` is parsed with `ast`
(nothing is imported, so this runs in well under a second). Each import of the
package, relative ones and those inside functions included, must follow the
table `ALLOWED`, which must equal the table of the note. No file imports a
`_private` name of another module of the package (`benchmarks/` included), and
no file of the repository imports `keras.src`.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"
PACKAGE = "keras_biosyn"
CLI = "keras_biosyn_cli"
# Checked for every rule.
LAYERED = (PACKAGE, CLI)
# Checked for private names and `keras.src` only: scripts and tests that use the package.
USERS = ("benchmarks",)
# Checked for `keras.src` only (tests may reach private names of the module they test).
OTHERS = ("tests", "tools", "tutorials")

# part -> the other parts it may import. The same table as in docs/architecture.md
# (test_doc_table_matches_allowed keeps them equal). A part is a top-level module or
# subpackage of keras_biosyn, `keras_biosyn` itself (its __init__) or the CLI package.
ALLOWED: dict[str, set[str]] = {
    "utils": set(),
    "version": set(),
    "ops": {"utils"},
    "solvers": {"ops", "utils"},
    "wirings": {"utils"},
    "constraints": {"utils"},
    "initializers": {"utils"},
    "cells": {"ops", "solvers", "wirings", "constraints", "initializers", "utils"},
    "interpretability": {"cells", "ops", "wirings", "utils"},
    "export": {"cells", "ops", "wirings", "utils"},
    "pruning": {"cells", "ops", "wirings", "interpretability", "export", "utils"},
    "control": {"export", "utils"},
    "datasets": {"utils"},
    "distribute": {"utils"},
    "learning_curves": {"utils"},
    "recipes": {
        "cells",
        "wirings",
        "solvers",
        "constraints",
        "initializers",
        "datasets",
        "utils",
    },
    "benchmarking": {
        "recipes",
        "cells",
        "wirings",
        "solvers",
        "constraints",
        "initializers",
        "datasets",
        "utils",
    },
    "model_set": {"export", "datasets", "utils"},
    PACKAGE: {
        "cells",
        "wirings",
        "solvers",
        "ops",
        "constraints",
        "initializers",
        "interpretability",
        "export",
        "pruning",
        "control",
        "datasets",
        "distribute",
        "version",
    },
    CLI: {
        PACKAGE,
        "utils",
        "version",
        "ops",
        "solvers",
        "wirings",
        "constraints",
        "initializers",
        "cells",
        "interpretability",
        "export",
        "pruning",
        "control",
        "datasets",
        "distribute",
        "learning_curves",
        "recipes",
        "benchmarking",
        "model_set",
    },
}


@dataclass(frozen=True)
class Module:
    """A source file as a module: its dotted name and whether it is a package `__init__`."""

    name: str
    is_package: bool
    path: str  # for messages, relative to the repository root


def module_of(path: Path) -> Module:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    return Module(".".join(parts), is_package, path.relative_to(ROOT).as_posix())


def source_files(*directories: str) -> list[Path]:
    return sorted(
        path
        for directory in directories
        for path in (ROOT / directory).rglob("*.py")
        if "__pycache__" not in path.parts and ".ipynb_checkpoints" not in path.parts
    )


def package_modules() -> set[str]:
    """Dotted names of every module and package of keras_biosyn and the CLI."""
    return {module_of(path).name for path in source_files(*LAYERED)}


def part_of(module: str) -> str:
    """The part a module of keras_biosyn or of the CLI belongs to."""
    head, _, rest = module.partition(".")
    if head == CLI:
        return CLI
    return rest.split(".")[0] if rest else PACKAGE


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def is_ours(module: str) -> bool:
    return module.split(".")[0] in LAYERED


@dataclass(frozen=True)
class Import:
    line: int
    module: str  # the module imported from (or imported)
    name: str | None  # the name taken from it, when that name is not a module itself


def absolute_base(node: ast.ImportFrom, importer: Module) -> str:
    """The module a `from ... import` reads from, relative imports resolved."""
    if not node.level:
        return node.module or ""
    package = importer.name.split(".")
    if not importer.is_package:
        package = package[:-1]
    package = package[: len(package) - (node.level - 1)]
    return ".".join(package + ([node.module] if node.module else []))


def imports(tree: ast.AST, importer: Module, modules: set[str]) -> list[Import]:
    """Every import in `tree`, anywhere in it, with relative imports resolved.

    `from a import b` is an import of module `a.b` when that module exists, else of
    the name `b` of module `a`.
    """
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(Import(node.lineno, alias.name, None) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = absolute_base(node, importer)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if submodule in modules:
                    found.append(Import(node.lineno, submodule, None))
                else:
                    found.append(Import(node.lineno, base, alias.name))
    return found


def private_attribute_uses(
    tree: ast.AST, importer: Module, modules: set[str]
) -> list[tuple[int, str]]:
    """`module._name` where `module` is a name bound to a module of the package."""
    bound = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    bound[alias.asname] = alias.name
                else:
                    bound[alias.name.split(".")[0]] = alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            base = absolute_base(node, importer)
            for alias in node.names:
                if f"{base}.{alias.name}" in modules:
                    bound[alias.asname or alias.name] = f"{base}.{alias.name}"

    def dotted(node) -> str | None:
        if isinstance(node, ast.Name):
            return bound.get(node.id)
        if isinstance(node, ast.Attribute):
            owner = dotted(node.value)
            return f"{owner}.{node.attr}" if owner else None
        return None

    uses = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and is_private(node.attr):
            owner = dotted(node.value)
            if owner in modules:
                uses.append((node.lineno, f"{owner}.{node.attr}"))
    return uses


def private_module_allowed(importer: str, module: str) -> bool:
    """A `_private` module may be imported from inside the package that holds it only."""
    segments = module.split(".")
    for index, segment in enumerate(segments):
        if is_private(segment):
            holder = ".".join(segments[:index])
            if not importer.startswith(holder + "."):
                return False
    return True


def check(source: str, importer: Module, modules: set[str], directions: bool = True) -> list[str]:
    """The rule violations of one file, as `path:line: message` strings.

    Args:
        source: The file's text.
        importer: The file as a `Module`.
        modules: Dotted names of the package's modules (to tell modules from names).
        directions: Whether to check `ALLOWED` (only for files of keras_biosyn and the CLI).
    """
    tree = ast.parse(source, filename=importer.path)
    problems = []

    def report(line: int, message: str):
        problems.append(f"{importer.path}:{line}: {message}")

    for item in imports(tree, importer, modules):
        target = item.module
        taken = f"{target}.{item.name}" if item.name else target
        if target == "keras.src" or target.startswith("keras.src.") or taken == "keras.src":
            report(item.line, f"imports {taken}: use the public `keras` API")
        if not is_ours(target):
            continue
        if item.name and is_private(item.name) and target != importer.name:
            report(item.line, f"imports the private name {taken}: make it public")
        if not private_module_allowed(importer.name, target):
            report(item.line, f"imports the private module {target} from outside its package")
        if not (directions and is_ours(importer.name)):
            continue
        source_part, target_part = part_of(importer.name), part_of(target)
        if source_part != CLI and target_part == CLI:
            report(item.line, f"imports the CLI ({taken}): nothing in {PACKAGE} may")
        elif source_part not in ALLOWED:
            report(item.line, f"{source_part!r} is not a part of docs/architecture.md")
        elif target_part != source_part and target_part not in ALLOWED[source_part]:
            allowed = ", ".join(sorted(ALLOWED[source_part])) or "nothing of the package"
            report(
                item.line,
                f"{source_part} imports {target_part} ({taken}); {source_part} may import: "
                f"{allowed}",
            )
    for line, name in private_attribute_uses(tree, importer, modules):
        report(line, f"uses the private name {name}: make it public")
    return problems


def check_files(directories, directions: bool) -> list[str]:
    modules = package_modules()
    problems = []
    for path in source_files(*directories):
        text = path.read_text(encoding="utf-8")
        problems += check(text, module_of(path), modules, directions)
    return problems


# -- the checker finds what it should ------------------------------------------------------
MODULES = {
    "keras_biosyn",
    "keras_biosyn.ops",
    "keras_biosyn.ops.membrane",
    "keras_biosyn.cells",
    "keras_biosyn.cells.wired_cell",
    "keras_biosyn.export",
    "keras_biosyn.export.runtime",
    "keras_biosyn.interpretability",
    "keras_biosyn.interpretability.plots",
    "keras_biosyn.interpretability.plots._style",
    "keras_biosyn.interpretability.plots.heatmaps",
    "keras_biosyn.solvers",
    "keras_biosyn_cli",
    "keras_biosyn_cli.main",
}


@pytest.mark.parametrize(
    "importer, source, expected",
    [
        (
            "keras_biosyn.ops.membrane",
            "from keras_biosyn.cells import WiredCell",
            "ops imports cells",
        ),
        (
            "keras_biosyn.ops.membrane",
            "from ..cells import wired_cell",
            "ops imports cells (keras_biosyn.cells.wired_cell)",
        ),
        (
            "keras_biosyn.ops.membrane",
            "def f():\n    import keras_biosyn.solvers",
            "ops imports solvers",
        ),
        (
            "keras_biosyn.ops.membrane",
            "from keras_biosyn import BioSynLTCCell",
            "imports keras_biosyn",
        ),
        ("keras_biosyn.ops.membrane", "from keras_biosyn_cli.main import main", "imports the CLI"),
        (
            "keras_biosyn.ops.membrane",
            "from . import _helper",
            "private name keras_biosyn.ops._helper",
        ),
        (
            "keras_biosyn.ops.membrane",
            "from keras.src.layers import Layer",
            "keras.src.layers.Layer",
        ),
        ("keras_biosyn.ops.membrane", "from keras import src", "imports keras.src"),
        ("keras_biosyn.ops.membrane", "import keras.src.ops", "imports keras.src.ops"),
        (
            "keras_biosyn.ops.membrane",
            "from keras_biosyn import ops\nops._hidden()",
            "private name",
        ),
        (
            "keras_biosyn_cli.main",
            "from keras_biosyn.export.runtime import _input_order",
            "private name keras_biosyn.export.runtime._input_order",
        ),
        (
            "keras_biosyn_cli.main",
            "import keras_biosyn\nkeras_biosyn.export.runtime._input_order",
            "private name keras_biosyn.export.runtime._input_order",
        ),
        (
            "keras_biosyn.interpretability.plots.heatmaps",
            "from .. import plots\nplots._draw()",
            "private name keras_biosyn.interpretability.plots._draw",
        ),
        (
            "keras_biosyn_cli.main",
            "from keras_biosyn.interpretability.plots import _style",
            "private module keras_biosyn.interpretability.plots._style",
        ),
    ],
)
def test_checker_reports_a_violation(importer, source, expected):
    module = Module(importer, False, importer.replace(".", "/") + ".py")
    problems = check(source, module, MODULES)
    assert len(problems) == 1, problems
    assert problems[0].startswith(module.path + ":")
    assert expected in problems[0]


@pytest.mark.parametrize(
    "importer, source",
    [
        ("keras_biosyn.ops.membrane", "from keras_biosyn.ops import membrane"),
        ("keras_biosyn.ops.membrane", "from . import membrane\nimport keras"),
        ("keras_biosyn.cells.wired_cell", "from keras_biosyn import solvers"),
        ("keras_biosyn.cells.wired_cell", "from ..ops.membrane import sensory_drive"),
        ("keras_biosyn.cells.wired_cell", "self._solver_step = None"),
        ("keras_biosyn.interpretability.plots.heatmaps", "from . import _style"),
        ("keras_biosyn.interpretability.plots.heatmaps", "from ._style import COLORS"),
        ("keras_biosyn.version", "__version__ = '1'"),
        ("keras_biosyn_cli.main", "from keras_biosyn.export.runtime import LiteRTModel"),
        ("keras_biosyn_cli.main", "import keras_biosyn"),
    ],
)
def test_checker_accepts_allowed_imports(importer, source):
    module = Module(importer, False, importer.replace(".", "/") + ".py")
    assert check(source, module, MODULES) == []


def test_benchmarks_are_checked_for_private_names_only():
    script = Module("benchmarks.edge_latency", False, "benchmarks/edge_latency.py")
    source = (
        "from keras_biosyn.export.runtime import _input_order\nfrom keras_biosyn_cli import main"
    )
    problems = check(source, script, MODULES, directions=False)
    assert problems == [
        "benchmarks/edge_latency.py:1: imports the private name "
        "keras_biosyn.export.runtime._input_order: make it public"
    ]


# -- the repository follows the rules --------------------------------------------------------
def test_every_file_is_in_a_part_of_the_table():
    unknown = sorted({part_of(name) for name in package_modules()} - set(ALLOWED))
    assert unknown == [], f"Parts missing from docs/architecture.md and ALLOWED: {unknown}"


def test_imports_follow_the_architecture():
    problems = check_files(LAYERED, directions=True)
    assert problems == [], "\n" + "\n".join(problems)


def test_scripts_use_public_names_only():
    problems = check_files(USERS, directions=False)
    assert problems == [], "\n" + "\n".join(problems)


def test_no_keras_src_anywhere():
    problems = [
        problem
        for problem in check_files(OTHERS, directions=False)
        if "keras.src" in problem.split(": ", 1)[1]
    ]
    assert problems == [], "\n" + "\n".join(problems)


def test_nothing_in_the_package_may_import_the_cli():
    assert [part for part, allowed in ALLOWED.items() if CLI in allowed] == []


def test_the_table_has_no_cycle():
    def reaches(start: str, seen: set[str]) -> set[str]:
        for part in ALLOWED[start] - seen:
            seen.add(part)
            reaches(part, seen)
        return seen

    assert [part for part in ALLOWED if part in reaches(part, set())] == []


def module_cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node: str):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(groups)


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of the package it imports (inside functions too)."""
    modules = package_modules()
    edges = {}
    for path in source_files(*LAYERED):
        importer = module_of(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=importer.path)
        edges[importer.name] = {
            item.module
            for item in imports(tree, importer, modules)
            if item.module in modules and item.module != importer.name
        }
    return edges


def test_the_cycle_finder_finds_a_cycle_inside_a_part():
    edges = {"a.x": {"a.y"}, "a.y": {"a.z"}, "a.z": {"a.x"}, "a.w": {"a.x"}}
    assert module_cycles(edges) == [["a.x", "a.y", "a.z"]]
    assert module_cycles({"a.x": {"a.y"}, "a.y": set()}) == []


def test_no_module_imports_lead_back_to_it():
    """Within a part too: two modules that need each other hold what belongs in a third."""
    assert module_cycles(import_graph()) == []


# -- the note and ALLOWED agree ---------------------------------------------------------------
def doc_table() -> dict[str, set[str]]:
    """The table of docs/architecture.md whose last column is "May import", as `{part: parts}`.

    Rows read `| `part` | what it holds | `a`, `b` |`; a last cell without backticks
    (e.g. "nothing") is the empty set.
    """
    lines = [line.strip() for line in DOC.read_text(encoding="utf-8").splitlines()]
    cells = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]
    start = next(
        index
        for index, row in enumerate(cells)
        if lines[index].startswith("|") and row[-1].lower() == "may import"
    )
    assert cells[start][0].lower() == "part", cells[start]
    table = {}
    for line, row in zip(lines[start + 2 :], cells[start + 2 :], strict=False):
        if not line.startswith("|"):
            break
        (part,) = re.findall(r"`([\w.]+)`", row[0])
        assert part not in table, f"{part} appears twice in the table"
        table[part] = set(re.findall(r"`([\w.]+)`", row[-1]))
    return table


def test_doc_table_matches_allowed():
    table = doc_table()
    assert sorted(table) == sorted(ALLOWED)
    differ = {
        part: (table[part], ALLOWED[part]) for part in ALLOWED if table[part] != ALLOWED[part]
    }
    assert differ == {}, f"(docs/architecture.md, ALLOWED) differ: {differ}"
