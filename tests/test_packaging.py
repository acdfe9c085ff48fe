"""What the installed distribution claims: import names under ``zopa`` only, and pure rules."""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_distribution_installs_only_names_under_zopa() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["tool"]["setuptools"]["packages"]["find"]["include"] == ["zopa*"]
    assert project["project"]["scripts"]["zopa"] == "zopa.server.cli:main"
    for name, folder in {
        "server": "server",
        "rules": "game_rules",
        "client_web": "client_web",
    }.items():
        link = ROOT / "zopa" / name
        assert link.is_symlink() and link.resolve() == (ROOT / folder).resolve()


def test_no_module_imports_the_old_top_level_names() -> None:
    offenders = []
    for path in ROOT.glob("[!.]*/**/*.py"):
        if "zopa" in path.relative_to(ROOT).parts[:1]:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                if name.split(".")[0] in {"server", "game_rules", "client_web"}:
                    offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert offenders == []


def test_the_rules_import_only_the_standard_library_and_themselves() -> None:
    outside = []
    for path in (ROOT / "game_rules").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if name.startswith("zopa.rules") or top in sys.stdlib_module_names:
                    continue
                if top == "__future__":
                    continue
                outside.append(f"{path.relative_to(ROOT)}: {name}")
    assert outside == []
