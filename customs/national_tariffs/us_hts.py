"""The Harmonized Tariff Schedule of the United States (USITC): every 8- and 10-digit line with its general
(MFN) rate and the Special-column rates of the US trade agreements, from USITC's CSV exports.

The files `customs/data/tariffs/us-hts-<edition>.csv` are USITC's CSV export as published (sources and
checksums in customs/data/SOURCES.md). One row per line: `HTS Number` (blank for indent-only text lines),
`Indent`, `Description`, `Unit of Quantity`, `General Rate of Duty` (column 1 general = MFN), `Special Rate
of Duty` (programme codes in parentheses: "Free (A+,AU,BH,CL,CO,...)", "4.1% (SG)"), `Column 2 Rate of Duty`,
... A blank rate cell means the rate of the nearest line above with a smaller indent (the statistical
suffixes of an 8-digit line inherit its rates). Add a newer revision's export to EDITIONS with the date
USITC gives it.

Read into the tariff book as
- an MFN measure for every national line outside chapters 98-99 that prints or inherits a general rate
  (chapter 99 holds the additional duties, read from additional-duties.json; chapter 98 special provisions
  print none and quote as manual assessment); a rate text the grammar cannot compute (rates in words, on
  parts of the value) is kept and answers with a manual assessment naming the text;
- a preference measure per (agreement, party) for each line that prints the rate, for the programmes of
  `PROGRAMMES`; the statistical lines under it find it by prefix. "See 9822..." (the rate is in chapter 98
  or 99) is not held.
Chapter 99's additional duties by product (Section 301 on China, U.S. notes 20 and 31; the Section 122
surcharge and its exemptions, U.S. note 2(aa)) are read from `us-hts-chapter99-products.csv`, the product
lists of those notes as USITC prints them, made by `python -m customs.national_tariffs.us_hts <chapter 99
text> <out.csv> [provenance]` from the text of HTSUS chapter 99; each heading's rate, dates and legal basis
is a row of `us_chapter99_headings` in additional-duties.json (whose `measures` hold the duties on every
line of an origin, read by customs.reference).

Each edition holds from its date to the day before the next; a rate unchanged across editions is one
measure. Where a line's preferential rate changes between editions of different years (FTA staging, set
per calendar year), the older rate ends on 31 December of its year; the newer one is held from its edition.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from customs.domain.duty_expression import DutyExpressionError, parse_duty_expression
from customs.domain.tariff_book import Measure

DESTINATION = "US"

# Edition date (as USITC dates the revision; see SOURCES.md) -> (file name, edition name), oldest first.
EDITIONS: dict[str, tuple[str, str]] = {
    "2025-04-22": ("us-hts-2025-revision-13.csv", "2025 Revision 13"),
    "2026-02-25": ("us-hts-2026-revision-4.csv", "2026 Revision 4"),
}
CHAPTER99_PRODUCTS = "us-hts-chapter99-products.csv"
ADDITIONAL_DUTIES = "additional-duties.json"
FILES: tuple[str, ...] = (*(name for name, _ in EDITIONS.values()), CHAPTER99_PRODUCTS, ADDITIONAL_DUTIES)

SOURCE = "USITC Harmonized Tariff Schedule of the United States, {editions} (CSV export), line {code}"

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
    """What the reader made of one edition: counts for the report and the tests."""

    rows: int = 0
    national_lines: int = 0  # 8- and 10-digit lines outside chapter 99
    mfn_measures: int = 0  # lines with a general rate
    computable: int = 0  # MFN texts that compute from value, weight and item count alone
    manual_shapes: Counter = field(default_factory=Counter)  # shape of the text -> lines
    needs_quantity: Counter = field(default_factory=Counter)  # supplementary key -> lines
    no_rate: list[str] = field(default_factory=list)  # national lines with no rate on them or above
    preference_cells: int = 0  # (line printing the rate, agreement, party)
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
        code = national_code(row["HTS Number"])
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


def read_editions(directory: Path) -> dict[date, list[tuple[str, str, str, str, str]]]:
    return {date.fromisoformat(edition): read_lines(Path(directory) / name)
            for edition, (name, _) in EDITIONS.items()}


def _preferences(special: str, report: ReadReport) -> Iterator[tuple[str, str, str]]:
    """(agreement, party, rate) for the programmes of PROGRAMMES printed in a Special cell."""
    seen: set[tuple[str, str]] = set()
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
                if (agreement, party) not in seen:  # S and S+ print the same USMCA rate
                    seen.add((agreement, party))
                    yield agreement, party, rate


def _count_mfn(text: str, report: ReadReport) -> None:
    report.mfn_measures += 1
    expression = parse_duty_expression(text)
    if expression.manual_reason is not None:
        report.manual_shapes[_shape(expression.text)] += 1
        return
    keys = {k for c in expression.terms for k in c.quantities} - {"kg", "item"}
    for key in keys:
        report.needs_quantity[key] += 1
    if not keys:
        report.computable += 1


def build_measures(editions: Mapping[date, list[tuple[str, str, str, str, str]]],
                   rows: Mapping[date, int] | None = None) -> tuple[list[Measure], dict[date, ReadReport]]:
    dates = sorted(editions)
    names = {date.fromisoformat(d): label for d, (_, label) in EDITIONS.items()}
    reports = {edition: ReadReport(rows=(rows or {}).get(edition, 0)) for edition in dates}
    # (code, text, the line printing it) and (line, agreement, party, rate) -> editions holding it.
    mfn: dict[tuple[str, str, str], list[date]] = defaultdict(list)
    prefs: dict[tuple[str, str, str, str], list[date]] = defaultdict(list)
    rate_in: dict[tuple[date, str, str, str], str] = {}  # (edition, line, agreement, party) -> rate
    for edition in dates:
        report = reports[edition]
        printed: set[str] = set()
        for code, general, special, origin_code, _ in editions[edition]:
            report.national_lines += 1
            if not general:
                report.no_rate.append(code)
                continue
            _count_mfn(general, report)
            mfn[(code, general, origin_code)].append(edition)
            # Preferences once, on the line that prints them; its statistical lines find them by prefix.
            if special and origin_code not in printed:
                printed.add(origin_code)
                for agreement, party, rate in _preferences(special, report):
                    report.preference_cells += 1
                    prefs[(origin_code, agreement, party, rate)].append(edition)
                    rate_in[(edition, origin_code, agreement, party)] = rate
    position = {d: i for i, d in enumerate(dates)}
    measures: list[Measure] = []
    for (code, text, origin_code), held_in in mfn.items():
        for start, last in _runs(held_in, position):
            source = SOURCE.format(editions=_named(dates, start, last, names), code=_dotted(origin_code))
            measures.append(Measure(DESTINATION, code, text, "mfn", None, None, start, _until(dates, last), source))
    for (code, agreement, party, rate), held_in in prefs.items():
        for start, last in _runs(held_in, position):
            end = _until(dates, last)
            following = dates[position[last] + 1] if position[last] + 1 < len(dates) else None
            changed = following is not None and rate_in.get((following, code, agreement, party)) not in (None, rate)
            if changed and following.year > last.year:
                end = date(last.year, 12, 31)  # staged FTA rates are set per calendar year
            source = (f"{SOURCE.format(editions=_named(dates, start, last, names), code=_dotted(code))}, "
                      f"special rate {rate} ({agreement})")
            measures.append(Measure(DESTINATION, code, rate, "preference", agreement, party, start, end, source))
    return measures, reports


def _runs(held_in: list[date], position: Mapping[date, int]) -> Iterator[tuple[date, date]]:
    """Consecutive editions merged into (first, last) edition pairs."""
    start = previous = None
    for edition in sorted(held_in):
        if start is not None and position[edition] == position[previous] + 1:
            previous = edition
            continue
        if start is not None:
            yield start, previous
        start = previous = edition
    if start is not None:
        yield start, previous


def _until(dates: list[date], last: date) -> date | None:
    index = dates.index(last)
    return dates[index + 1] - timedelta(days=1) if index + 1 < len(dates) else None


def _named(dates: list[date], start: date, last: date, names: Mapping[date, str]) -> str:
    held = [d for d in dates if start <= d <= last]
    return " and ".join(f"{names.get(d, d.isoformat())} (from {d.isoformat()})" for d in held)


def read_measures(directory: Path, reports: dict[date, ReadReport] | None = None) -> list[Measure]:
    directory = Path(directory)
    rows = {date.fromisoformat(d): len(read_rows(directory / name)) for d, (name, _) in EDITIONS.items()} \
        if reports is not None else None
    editions = read_editions(directory)
    measures, found = build_measures(editions, rows)
    if reports is not None:
        reports.update(found)
    every = sorted({code for lines in editions.values() for code, *_ in lines})
    # The finest lines (no line under them), on which a heading's products are told apart.
    lines = [code for i, code in enumerate(every) if not (i + 1 < len(every) and every[i + 1].startswith(code))]
    with open(directory / ADDITIONAL_DUTIES, encoding="utf-8") as handle:
        headings = json.load(handle).get("us_chapter99_headings", [])
    measures.extend(chapter99_measures(headings, read_chapter99_products(directory / CHAPTER99_PRODUCTS), lines))
    return measures


# ---------------------------------------------------------------- chapter 99: additional duties by product

Products = dict[str, list[tuple[str, tuple[str, ...]]]]  # heading -> (code, statistical lines excepted)


def read_chapter99_products(path: Path) -> Products:
    products: Products = defaultdict(list)
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(line for line in handle if not line.startswith("#")):
            excepted = tuple(c for c in row["except"].split(";") if c)
            products[row["heading"]].append((row["code"], excepted))
    return products


def _expand(listed: list[tuple[str, tuple[str, ...]]], lines: list[str]) -> set[str]:
    """The codes a heading's products cover: a listed code as a prefix, or, where statistical lines are
    excepted ("4901.99.00, except 4901.99.0040"), each other national line under it."""
    codes: set[str] = set()
    for code, excepted in listed:
        if not excepted:
            codes.add(code)
            continue
        codes.update(line for line in _under(lines, code) if not line.startswith(excepted))
    return codes


def _under(lines: list[str], prefix: str) -> list[str]:
    """The sorted national lines that start with a prefix."""
    start = bisect_left(lines, prefix)
    found = []
    for line in lines[start:]:
        if not line.startswith(prefix):
            break
        found.append(line)
    return found


def _cover(lines: list[str], excluded: set[str], length: int = 2) -> Iterator[str]:
    """The shortest prefixes (2, 4, 6, 8, 10 digits) under which no line starts with an excluded code."""
    groups: dict[str, list[str]] = defaultdict(list)
    for line in lines:
        groups[line[:length]].append(line)
    for prefix in sorted(groups):
        under = groups[prefix]
        hit = [line for line in under if _prefixes(line, excluded)]
        if not hit:
            yield prefix
        elif len(hit) < len(under) and length < 10:
            yield from _cover(under, excluded, length + 2)


def _prefixes(line: str, excluded: set[str]) -> list[str]:
    return [line[:n] for n in range(2, len(line) + 1) if line[:n] in excluded]


def chapter99_measures(headings: list[dict], products: Products, lines: list[str]) -> list[Measure]:
    """One additional measure per heading and code (`lines`: the sorted finest national lines): its listed
    products, or every line of chapters 1-97
    except the products listed under another heading (`except_products`). Where a later heading raises the
    duty on the same products (`superseded_by`, the 2024 Section 301 increases), the earlier one ends the
    day before it."""
    codes: dict[str, set[str]] = {}
    for heading in headings:
        if heading["products"] == "listed":
            codes[heading["heading"]] = _expand(products[heading["heading"]], lines)
        else:
            excluded = _expand(products[heading["except_products"]], lines)
            codes[heading["heading"]] = set(_cover([c for c in lines if c[:2] <= "97"], excluded))
    by_heading = {h["heading"]: h for h in headings}
    measures: list[Measure] = []
    for heading in headings:
        valid_from = date.fromisoformat(heading["valid_from"])
        valid_to = date.fromisoformat(heading["valid_to"]) if heading.get("valid_to") else None
        ends: dict[str, date] = {}  # code -> the day before a later heading covers it
        own = codes[heading["heading"]]
        for later in heading.get("superseded_by", ()):
            end = date.fromisoformat(by_heading[later]["valid_from"]) - timedelta(days=1)
            own = _split(own, codes[later], lines)
            for code in own:
                if _prefixes(code, codes[later]):
                    ends[code] = min(end, ends.get(code, end))
        for code in sorted(own):
            end = ends.get(code, valid_to)
            if end is not None and end < valid_from:
                continue
            measures.append(Measure(DESTINATION, code, heading["expression_text"], "additional", None,
                                    heading.get("origin"), valid_from, end, heading["source"], heading["title"]))
    return measures


def _dotted(code: str) -> str:
    parts = [code[:4], code[4:6], code[6:8]] + ([code[8:10]] if len(code) == 10 else [])
    return ".".join(parts)


def _split(own: set[str], later: set[str], lines: list[str]) -> set[str]:
    """`own` with each code that has a later heading's narrower code under it replaced by its national lines,
    so that the later heading's products can end separately."""
    narrower = {other[:n] for other in later for n in range(2, len(other))}
    split: set[str] = set()
    for code in own:
        split.update(_under(lines, code) if code in narrower else (code,))
    return split


# ---------------------------------------------------------------- chapter 99 text -> the products CSV

# Where the product lists of the chapter 99 headings stand in the U.S. notes to subchapter III of chapter 99
# (customs/data/tariffs/us-chapter99-product-lists.csv): the heading, how its products are printed ("listed"
# a table of 8-digit subheadings or 10-digit statistical numbers; "items" numbered products, each "provided
# for in <subheading>, except ... <statistical numbers>"), and the text the list starts and ends at.
PRODUCT_LISTS = Path(__file__).resolve().parent.parent / "data" / "tariffs" / "us-chapter99-product-lists.csv"


def read_subdivisions(path: Path = PRODUCT_LISTS) -> tuple[tuple[str, str, str, str], ...]:
    with open(path, encoding="utf-8", newline="") as lists:
        return tuple((row["heading"], row["printed"], row["starts"], row["ends"]) for row in csv.DictReader(lists))


SUBDIVISIONS = read_subdivisions()
_CODE = re.compile(r"(?<![\d.])(\d{4})\.(\d{2})\.(\d{2})(\d{2})?(?!\d)")


def chapter99_products(text: str, subdivisions: tuple[tuple[str, str, str, str], ...] = SUBDIVISIONS,
                       ) -> list[dict[str, str]]:
    """Rows (heading, code, except) of the product lists of `subdivisions` in the text of chapter 99."""
    flat = re.sub(r"\s+", " ", text)
    rows: list[dict[str, str]] = []
    for heading, kind, start, end in subdivisions:
        opening = re.search(re.escape(start), flat)
        if opening is None:
            raise ValueError(f"{heading}: {start!r} not found")
        closing = re.search(re.escape(end), flat[opening.end():])
        if closing is None:
            raise ValueError(f"{heading}: {end!r} not found")
        block = flat[opening.start():opening.end() + closing.start()]
        if kind == "listed":
            rows.extend({"heading": heading, "code": code, "except": ""}
                        for code in _codes(block) if not code.startswith("99"))
            continue
        for item in re.split(r" \d{1,2}\. (?=[A-Z])", block)[1:]:
            codes = _codes(item)
            subheadings = [c for c in codes if len(c) == 8 and not c.startswith("99")]
            if subheadings:
                rows.append({"heading": heading, "code": subheadings[0],
                             "except": ";".join(c for c in codes if len(c) == 10)})
    return rows


def _codes(text: str) -> list[str]:
    return ["".join(part or "" for part in match.groups()) for match in _CODE.finditer(text)]


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print("python -m customs.national_tariffs.us_hts <chapter 99 text> <out.csv> [provenance]", file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8", errors="replace") as handle:
        rows = chapter99_products(handle.read())
    with open(argv[1], "w", encoding="utf-8", newline="") as handle:
        if len(argv) == 3:
            handle.write(f"# {argv[2]}\n")
        writer = csv.DictWriter(handle, fieldnames=("heading", "code", "except"), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} products: {dict(Counter(row['heading'] for row in rows))} -> {argv[1]}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:]))
