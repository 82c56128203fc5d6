"""No app imports notifications: it sits on top and hears them by signal (privacy, on top too, may)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "customs", "logistics", "payments", "marketplace", "finance", "ewtp")


def test_no_app_below_imports_notifications():
    pattern = re.compile(r"^\s*(from notifications\b|import notifications\b)", re.MULTILINE)
    offenders = [str(path.relative_to(ROOT)) for app in APPS for path in (ROOT / app).rglob("*.py")
                 if pattern.search(path.read_text())]
    assert offenders == []
