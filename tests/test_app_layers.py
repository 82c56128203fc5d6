"""The apps' layers, as DESIGN.md draws them: accounts at the bottom imports no other app; the apps on top
(disputes, notifications, webhooks, duties, conversations, privacy) are imported by none of the apps below
them, which tell them what happened by signal. Read from the source (every import statement)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BELOW = ("accounts", "marketplace", "customs", "logistics", "payments", "finance", "ewtp")
ON_TOP = ("disputes", "notifications", "webhooks", "duties", "conversations", "privacy")
# app -> the apps it must not import
FORBIDDEN = {"accounts": ("marketplace", "customs", "logistics", "payments", "finance", *ON_TOP),
             **{app: ON_TOP for app in BELOW if app != "accounts"}}


def _imported_modules(path: Path):
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_an_app_imports_no_app_above_it(app):
    imports = {f"{path.relative_to(ROOT)}: {module}"
               for path in (ROOT / app).rglob("*.py") if "migrations" not in path.parts
               for module in _imported_modules(path) if module.split(".")[0] in FORBIDDEN[app]}
    assert imports == set()
