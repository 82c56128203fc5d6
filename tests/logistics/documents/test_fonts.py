"""Which font draws each run of text."""

from __future__ import annotations

import pytest

from logistics.documents import (
    font_runs,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Emily Carter", [("Helvetica", "Emily Carter")]),
        ("Zürich", [("Helvetica", "Zürich")]),
        ("龙井绿茶", [("EwtpSansSC", "龙井绿茶")]),
        ("Tea 龙井 250 g", [("Helvetica", "Tea "), ("EwtpSansSC", "龙井 250 "), ("Helvetica", "g")]),
        ("龍井綠茶", [("EwtpSansSC", "龍井綠茶")]),  # traditional, from Big5
        ("Łódź", [("EwtpSansWide", "Ł"), ("Helvetica", "ód"), ("EwtpSansWide", "ź")]),
        ("Москва", [("EwtpSansWide", "Москва")]),
    ],
)
def test_each_run_of_text_goes_to_a_font_that_has_it(text, expected):
    assert font_runs(text) == expected


def test_bold_text_keeps_bold_where_a_bold_font_exists():
    assert font_runs("Łódź", bold=True)[0] == ("EwtpSansWide-Bold", "Ł")
    assert font_runs("Carter", bold=True) == [("Helvetica-Bold", "Carter")]
