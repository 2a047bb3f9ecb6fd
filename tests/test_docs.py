"""The documentation cannot fall behind the code, and the package imports downwards only."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from click.testing import CliRunner

from audit.catalog import CATALOG
from audit.checks import CHECKS
from audit.cli import main
from audit.drift import SIGNALS

from conftest import ROOT

DOCS = ROOT / "docs"


def test_checks_doc_names_every_check_and_drift_signal():
    text = (DOCS / "checks.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([a-z_.]+)`", text))
    assert set(CHECKS) <= {c.id for c in CATALOG}
    missing = [c.id for c in CATALOG if c.id not in named] + [s for s in SIGNALS if s not in named]
    assert not missing, f"docs/checks.md does not describe {missing}"


def test_checks_command_lists_the_catalogue():
    result = CliRunner().invoke(main, ["checks"], terminal_width=200)
    assert result.exit_code == 0
    for check in CATALOG:
        assert check.id in result.output


def test_readme_is_short_and_its_links_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 150
    for path in set(re.findall(r"`?(docs/[\w./-]+\.(?:md|png))`?", readme)):
        assert (ROOT / path).is_file(), path


def _import_graph(package: Path) -> dict[str, set[str]]:
    modules = {}
    for path in package.rglob("*.py"):
        parts = path.relative_to(package.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        here = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = here.split(".")[:len(here.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
                for candidate in [target] + [f"{target}.{alias.name}" for alias in node.names]:
                    if candidate in modules and candidate != name:
                        graph[name].add(candidate)
    return graph


def test_no_import_cycles():
    graph = _import_graph(ROOT / "audit")
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                raise AssertionError("import cycle: " + " -> ".join(trail[trail.index(nxt):] + [node, nxt]))
            if nxt not in state:
                visit(nxt, trail + [node])
        state[node] = 2

    for module in graph:
        if module not in state:
            visit(module, [])


def test_install_lines_name_what_can_be_installed():
    """mt-audit is not on the package index: every install line in the README and docs, and
    every hint the program prints, installs from a clone or a wheel."""
    import re

    texts = [(p, p.read_text(encoding="utf-8")) for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]]
    texts += [(p, p.read_text(encoding="utf-8")) for p in sorted((ROOT / "audit").rglob("*.py"))]
    for path, text in texts:
        assert not re.search(r"pip install\s+['\"]?mt-audit\b", text), f"{path}: 'pip install mt-audit' does not resolve"
