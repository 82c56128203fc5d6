"""The Harmonized Tariff Schedule of the United States (USITC), 2026 Revision 4, CSV export as published.

One row per line: `HTS Number` (blank for indent-only text lines), `Indent`, `Description`, `Unit of
Quantity`, `General Rate of Duty` (column 1 general = MFN), `Special Rate of Duty` (programme codes in
parentheses: "Free (A+,AU,BH,CL,CO,...)", "4.1% (SG)"), `Column 2 Rate of Duty`, ... A blank rate cell
means the rate of the nearest line above with a smaller indent (the statistical suffixes of an 8-digit
line inherit its rates). Sources and checksum: customs/data/SOURCES.md.

Read into the tariff book as
- an MFN measure for every 8- and 10-digit line (chapter 99, the additional duties, is not MFN);
- a preference measure per (agreement, party) for each line that prints the rate, for the programmes
  of `PROGRAMMES`; the statistical lines under it find it by prefix.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from customs.domain.duty_expression import DutyExpressionError, parse_duty_expression
from customs.domain.tariff_book import Measure

DESTINATION = "US"
FILE = "us-hts-2026-revision-4.csv"
FILES = (FILE,)

# The date USITC gives 2026 HTS Revision 4 (see SOURCES.md for where it comes from).
REVISION_FROM = date(2026, 2, 25)
SOURCE = "USITC Harmonized Tariff Schedule of the United States 2026 Revision 4 (CSV export), line {code}"

# Special-column programme codes (HTSUS General Note 3(c)(i)) -> (agreement code, its parties other than US).
PROGRAMMES: dict[str, tuple[str, tuple[str, ...]]] = {
    "KR": ("KORUS", ("KR",)),
    "AU": ("AUSFTA", ("AU",)),
    "SG": ("US-SG-FTA", ("SG",)),
    "S": ("USMCA", ("CA", "MX")),
    "S+": ("USMCA", ("CA", "MX")),
    "JP": ("US-JP-TA", ("JP",)),
}

_SEGMENT = re.compile(r"([^()]*?)\s*\(([^)]*)\)")


@dataclass
class ReadReport:
    """What the reader made of the file: counts for the report and the tests."""

    rows: int = 0
    national_lines: int = 0  # 8- and 10-digit lines outside chapter 99
    mfn_measures: int = 0
    computable: int = 0  # MFN texts that compute from value, weight and item count alone
    manual_shapes: Counter = field(default_factory=Counter)  # shape of the text -> lines
    needs_quantity: Counter = field(default_factory=Counter)  # supplementary key -> lines
    no_rate: list[str] = field(default_factory=list)  # national lines with no rate on them or above
    preference_measures: int = 0
    preferences_not_held: Counter = field(default_factory=Counter)  # "See 9822..." and similar by programme


def national_code(raw: str) -> str:
    """'6109.10.00.10' -> '6109100010'."""
    return raw.replace(".", "").replace(" ", "").strip()


def _shape(text: str) -> str:
    return re.sub(r"\d+(?:[.,]\d+)*", "N", text)


def special_rates(text: str) -> list[tuple[str, list[str]]]:
    """'Free (A+,AU,KR) 4.1% (SG)' -> [('Free', ['A+', 'AU', 'KR']), ('4.1%', ['SG'])]."""
    text = re.sub(r"\s+", " ", text.replace("\n", " ")).strip()
    return [(rate.strip(), [p.strip() for p in programmes.split(",") if p.strip()])
            for rate, programmes in _SEGMENT.findall(text)]


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def read_lines(path: Path) -> list[tuple[str, str, str, str, str]]:
    """(code, general, special, the code of the line the rates come from, description) for every national
    line outside chapter 99, blank rates inherited from the nearest parent above (smaller indent)."""
    stack: list[tuple[int, str, str, str]] = []  # (indent, general, special, code) of the open parents
    lines = []
    for row in read_rows(path):
        indent = int(row["Indent"] or 0)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        raw = row["HTS Number"].strip()
        code = national_code(raw)
        general = row["General Rate of Duty"].strip()
        special = row["Special Rate of Duty"].strip()
        if general:
            own = (general, special, code)
        elif stack:
            own = stack[-1][1:]
        else:
            own = ("", "", "")
        stack.append((indent, *own))
        if len(code) in (8, 10) and code.isdigit() and not code.startswith("99"):
            lines.append((code, own[0], own[1], own[2], row["Description"].strip()))
    return lines


def read_measures(directory: Path, report: ReadReport | None = None) -> list[Measure]:
    path = Path(directory) / FILE
    report = report if report is not None else ReadReport()
    report.rows = len(read_rows(path))
    measures: list[Measure] = []
    preference_from: set[str] = set()
    for code, general, special, origin_code, _description in read_lines(path):
        report.national_lines += 1
        if not general:
            report.no_rate.append(code)
            continue
        source = SOURCE.format(code=_dotted(origin_code))
        measure = Measure(DESTINATION, code, general, "mfn", None, None, REVISION_FROM, None, source)
        measures.append(measure)
        report.mfn_measures += 1
        expression = measure.expression
        if expression.manual_reason is not None:
            report.manual_shapes[_shape(expression.text)] += 1
        else:
            keys = {k for c in expression.terms for k in c.quantities} - {"kg", "item"}
            if keys:
                for key in keys:
                    report.needs_quantity[key] += 1
            else:
                report.computable += 1
        # Preferences once, on the line that prints them; its statistical lines find them by prefix.
        if not special or origin_code in preference_from:
            continue
        preference_from.add(origin_code)
        measures.extend(_preferences(origin_code, special, report))
    return measures


def _preferences(code: str, special: str, report: ReadReport) -> list[Measure]:
    found: dict[tuple[str, str], Measure] = {}
    for rate, programmes in special_rates(special):
        for programme in programmes:
            if programme not in PROGRAMMES or not rate:
                continue
            try:
                parse_duty_expression(rate)
            except DutyExpressionError:
                # "See 9822.05.10" (the rate is in chapter 98/99) and similar: not held as a preference.
                report.preferences_not_held[programme] += 1
                continue
            agreement, parties = PROGRAMMES[programme]
            for party in parties:
                key = (agreement, party)
                if key not in found:  # S and S+ print the same USMCA rate
                    found[key] = Measure(
                        DESTINATION, code, rate, "preference", agreement, party, REVISION_FROM, None,
                        f"{SOURCE.format(code=_dotted(code))}, special rate {rate} ({programme})")
    report.preference_measures += len(found)
    return list(found.values())


def _dotted(code: str) -> str:
    parts = [code[:4], code[4:6], code[6:8]] + ([code[8:10]] if len(code) == 10 else [])
    return ".".join(parts)
