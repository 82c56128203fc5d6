"""Geometry of a horizontal bar chart drawn as server-side SVG. Pure code."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

ROW = 28  # px per bar
LABEL = 48  # px for the country code
VALUE = 150  # px for the amount after the bar


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    y: int
    width: int  # px, 0..plot width
    text_x: int


def bars(rows: list[tuple[str, Decimal, str]], *, width: int = 640) -> tuple[list[Bar], int]:
    """(bars, chart height) for (label, value, value text) rows; the largest value spans the plot."""
    plot = width - LABEL - VALUE
    top = max((value for _label, value, _text in rows), default=Decimal(0))
    out = []
    for index, (label, value, text) in enumerate(rows):
        length = int((value / top) * plot) if top > 0 else 0
        length = max(length, 2) if value > 0 else 0
        out.append(Bar(label=label, value_text=text, y=index * ROW, width=length, text_x=LABEL + length + 8))
    return out, max(len(rows), 1) * ROW
