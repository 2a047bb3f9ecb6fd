"""The documentation cannot fall behind the code, and the package imports downwards only."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from audit.checks.catalog import CATALOG
from audit.checks import CHECKS
from audit.apps.cli import main
from audit.judge.drift import SIGNALS

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


_INSTALL = re.compile(r"pip (?:install|wheel)\b[^`\n#&]*")
_CLONE_PATHS = {".", "./.mt-audit", "/tmp/mt-audit", "PATH"}


def documented_install_lines() -> list[str]:
    """Every `pip install` / `pip wheel` line of the README and docs (code spans and blocks)."""
    lines = []
    for path in [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        blocks = re.findall(r"```[^\n]*\n(.*?)```", text, re.S) + re.findall(r"`([^`\n]+)`", text)
        for block in blocks:
            lines += [m.group().strip() for m in _INSTALL.finditer(block)]
        # extras listed after an install line ("`pip install '.[marian]'`, `'.[ct2]'` or ...")
        lines += [f"pip install {extra}" for extra in re.findall(r"`('\.\[\w+\]')`", text)]
    return sorted(set(lines))


def _pip_args(line: str, wheel_dir: Path) -> list[str]:
    """A documented line as arguments of this environment's pip, the clone's paths pointing
    at this repository."""
    import shlex

    args = []
    for token in shlex.split(line)[1:]:
        base, extras = (token.split("[", 1) + [""])[:2]
        if base in _CLONE_PATHS:
            token = str(ROOT) + (f"[{extras}" if extras else "")
        elif token == "constraints.txt":
            token = str(ROOT / "constraints.txt")
        elif token == "dist":
            token = str(wheel_dir)
        args.append(token)
    return args


def test_documented_install_lines_are_found():
    lines = documented_install_lines()
    assert "pip install ." in lines and any("'.[marian]'" in line for line in lines)
    assert any(line.startswith("pip wheel") for line in lines)


@pytest.mark.slow
def test_every_documented_install_line_resolves(tmp_path):
    """Each install line of the docs, run as written from a clone (install lines as a dry run
    that resolves every requirement against the index and the constraints, the wheel for
    real): every extra exists, and nothing pulls a CUDA build or another PyTorch."""
    import json
    import subprocess
    import sys

    seen = set()
    for line in documented_install_lines():
        args = _pip_args(line, tmp_path / "dist")
        if tuple(args) in seen:
            continue  # the same install from another folder the docs clone into
        seen.add(tuple(args))
        pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
        if args[0] == "wheel":
            result = subprocess.run([*pip, *args], capture_output=True, text=True, timeout=600)
            assert result.returncode == 0, f"{line}: {result.stderr[-2000:]}"
            assert list((tmp_path / "dist").glob("mt_audit-*.whl")), line
            continue
        report = tmp_path / "report.json"
        result = subprocess.run([*pip, "install", "--dry-run", "--quiet", "--report", str(report), *args[1:]],
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, f"{line}: {result.stderr[-2000:]}"
        names = {item["metadata"]["name"].lower(): item["metadata"]["version"]
                 for item in json.loads(report.read_text(encoding="utf-8"))["install"]}
        assert not [n for n in names if n.startswith("nvidia")], f"{line} pulls CUDA packages"
        assert names.get("torch", "2.13.0").startswith("2.13.0"), f"{line} pulls torch {names['torch']}"
