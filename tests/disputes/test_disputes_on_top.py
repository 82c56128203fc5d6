"""Disputes sit on top: no other app imports them (payments asks `escrow_holding`, the marketplace's order page
asks `order_page_panels`, and disputes answer by signal)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BELOW = ("accounts", "marketplace", "customs", "logistics", "payments", "finance", "ewtp")


def _imported_modules(path: Path):
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_no_app_below_imports_disputes():
    imports = {f"{path.relative_to(ROOT)}: {module}"
               for app in BELOW for path in (ROOT / app).rglob("*.py") if "migrations" not in path.parts
               for module in _imported_modules(path) if module.split(".")[0] == "disputes"}
    assert imports == set()
