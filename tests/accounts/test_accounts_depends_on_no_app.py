"""Every app may use accounts; accounts uses none of them (they hear from it by signal)."""

import ast
from pathlib import Path

ACCOUNTS = Path(__file__).resolve().parents[2] / "accounts"
OTHER_APPS = ("marketplace", "customs", "logistics", "payments")


def _imported_modules(path: Path):
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_accounts_imports_none_of_the_other_apps():
    imports = {f"{path.relative_to(ACCOUNTS.parent)}: {module}"
               for path in ACCOUNTS.rglob("*.py") for module in _imported_modules(path)
               if module.split(".")[0] in OTHER_APPS}
    assert imports == set()
