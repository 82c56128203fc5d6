"""Japan's customs tariff (実行関税率表): every 9-digit statistical line with its applied MFN rate and the EPA rates.

The versioned files `customs/data/tariffs/jp-customs-tariff-<edition>.csv` are made by `convert_scrape` from a
scrape of Japan Customs' Japanese-language schedule pages (repository qlitre/japan-tariff-mcp, one JSON tree per
chapter; sources in customs/data/SOURCES.md). Rebuild one from a newer scrape with

    python -m customs.national_tariffs.jp_customs <scrape folder> <edition YYYY-MM-DD> <out.csv> [provenance]

and add its file name to EDITIONS. Each edition's measures hold from its date to the day before the next edition.

The applied MFN rate for a WTO member's goods: the temporary rate (暫定) where one exists, else the general rate
(基本), but the WTO rate where it is lower; a WTO rate printed in parentheses does not apply. Rates printed on a
parent line apply to its children. Japanese rate texts are translated into the duty-expression grammar
(無税 -> "0.00%", "20円/kg" -> "20.00 JPY / kg", "AまたはBのうちいずれか高い税率" -> "A MIN B", ... 低い -> "A MAX B").
A text that cannot be translated faithfully (tariff-quota conditions, gate-price formulas, rates that differ by
product within the line, footnote marks, ranges) is kept in the file as "manual: <text as printed>" and gives no
measure: the book then answers that line with a manual assessment ("no MFN rate held") or, for a preference,
"no preferential rate is held; MFN applies".
"""

from __future__ import annotations

import csv
import json
import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from customs.domain.tariff_book import Measure

DESTINATION = "JP"

# Edition date -> file name, oldest first.
EDITIONS: dict[str, str] = {
    "2025-04-01": "jp-customs-tariff-2025-04-01.csv",
    "2026-01-01": "jp-customs-tariff-2026-01-01.csv",
    "2026-04-01": "jp-customs-tariff-2026-04-01.csv",
    "2026-07-09": "jp-customs-tariff-2026-07-09.csv",
}
FILES: tuple[str, ...] = tuple(EDITIONS.values())

MANUAL = "manual: "


@dataclass(frozen=True, slots=True)
class Column:
    name: str  # CSV column
    scrape_key: str  # key of the scrape's `rate` object
    agreement: str
    origins: tuple[str, ...]  # the parties the column's rates are for (the book looks preferences up by origin)
    note: str = ""


# The EPA columns mapped to agreements of customs/data/agreements/. Japan's RCEP schedule differs by party: one
# column for China, one for Korea, one for ASEAN, Australia and New Zealand.
COLUMNS: tuple[Column, ...] = (
    Column("cptpp", "EPA_CPTPP", "CPTPP", ("AU", "BN", "CA", "CL", "MX", "MY", "NZ", "PE", "SG", "VN"),
           "the United Kingdom's CPTPP treatment is not read from this column (GB has the UK-JP CEPA column)"),
    Column("eu_jp_epa", "EPA_欧州連合", "EU-JP-EPA", ("EU",)),
    Column("uk_jp_cepa", "EPA_英国", "UK-JP-CEPA", ("GB",)),
    Column("rcep_cn", "EPA_RCEP_中国", "RCEP", ("CN",)),
    Column("rcep_kr", "EPA_RCEP_韓国", "RCEP", ("KR",)),
    Column("rcep_asean_au_nz", "EPA_RCEP_アセアン豪州NZ", "RCEP",
           ("AU", "BN", "ID", "KH", "LA", "MY", "NZ", "PH", "SG", "TH", "VN"),
           "Myanmar is left out: Japan has not applied RCEP to goods of Myanmar"),
    Column("ajcep", "EPA_アセアン", "AJCEP", ("BN", "ID", "KH", "LA", "MM", "MY", "PH", "SG", "TH", "VN")),
    Column("jp_th_epa", "EPA_タイ", "JTEPA", ("TH",)),
    Column("jp_my_epa", "EPA_マレーシア", "JMEPA", ("MY",)),
    Column("jp_vn_epa", "EPA_ベトナム", "JVEPA", ("VN",)),
    Column("jp_au_epa", "EPA_豪州", "JAEPA", ("AU",)),
    Column("us_jp_ta", "EPA_日米貿易協定", "US-JP-TA", ("US",)),
)

CSV_FIELDS = ("code", "mfn", "mfn_basis", *(c.name for c in COLUMNS))

SOURCE = "Japan Customs, Customs Tariff Schedules of Japan (実行関税率表), edition {edition}"
COLUMN_LABELS = {"temporary": "temporary rate (暫定)", "general": "general rate (基本)", "wto": "WTO rate (WTO協定)"}


# ---------------------------------------------------------------- translating Japanese rate texts

_NUMBER = r"\d[\d,]*(?:\.\d+)?"
_PERCENT = re.compile(rf"^({_NUMBER})%$")
_SPECIFIC = re.compile(rf"^({_NUMBER})円/({_NUMBER})?(kg|l|kl|m2|足|頭)$")
_UNITS = {"kg": "kg", "l": "l", "kl": "1000 l", "m2": "m2", "足": "pair", "頭": "item"}
_ALTERNATIVE = re.compile(r"^(.+?)又は(.+?)のうちいずれか(高い|低い)税率$")
# "..., but where that rate is below C, C" (wine) and "(but where that rate is above C, C)".
_FLOOR = re.compile(r"^(.+税率)ただしその税率が(.+?)を下回る場合は(.+?)(?:とする)?$")
_CAP = re.compile(r"^(.+税率)\(ただしその税率が(.+?)を上回る場合は(.+?)とする\)$")


def _amount(number: str) -> str:
    value = Decimal(number.replace(",", ""))
    return f"{value:.2f}" if value == value.quantize(Decimal("0.01")) else f"{value.normalize():f}"


def _term(text: str) -> str | None:
    if text == "無税":
        return "0.00%"
    if match := _PERCENT.match(text):
        return f"{_amount(match.group(1))}%"
    if match := _SPECIFIC.match(text):
        per = match.group(2)
        unit = _UNITS[match.group(3)]
        if per:
            if unit not in ("kg", "l", "item"):
                return None
            unit = f"{per.replace(',', '')} {unit}"
        return f"{_amount(match.group(1))} JPY / {unit}"
    return None


def _terms(text: str) -> str | None:
    parts = [_term(part) for part in text.split("+")]
    return None if any(p is None for p in parts) else " + ".join(parts)  # type: ignore[arg-type]


def normalise_text(text: str) -> str:
    """NFKC (full-width ＋（）％ and ㎡ become + ( ) % m2), one line, no spaces."""
    text = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"\s+", "", text)


def is_parenthesised(text: str) -> bool:
    """A WTO rate printed in parentheses ("(無税)", "*(341円/kg)") is bound but does not apply."""
    text = normalise_text(text).lstrip("*")
    return text.startswith("(") and text.endswith(")")


def translate(text: str) -> str | None:
    """The duty expression for a Japanese rate text, or None when it cannot be translated faithfully."""
    flat = normalise_text(text)
    if not flat:
        return None
    if simple := _terms(flat):
        return simple
    if (match := _FLOOR.match(flat)) and match.group(2) == match.group(3):
        # lower of A or B, at least C: max(min(A, B), C) equals the grammar's min(max(A, C), B) when C <= B.
        inner, floor = _ALTERNATIVE.match(match.group(1)), _term(match.group(2))
        if inner is None or inner.group(3) != "低い" or floor is None:
            return None
        first, second = _terms(inner.group(1)), _term(inner.group(2))
        if first is None or second is None or not _at_most(floor, second):
            return None
        return f"{first} MIN {floor} MAX {second}"
    if (match := _CAP.match(flat)) and match.group(2) == match.group(3):
        # higher of A or B, at most C: min(max(A, B), C), the grammar's order.
        inner, cap = translate(match.group(1)), _term(match.group(2))
        if inner is None or cap is None or " MIN " not in inner or " MAX " in inner:
            return None
        return f"{inner} MAX {cap}"
    if match := _ALTERNATIVE.match(flat):
        first, second = _terms(match.group(1)), _terms(match.group(2))
        if first is None or second is None:
            return None
        # "the higher of A or B" is A with B as its minimum; "the lower" is A with B as its maximum.
        return f"{first} {'MIN' if match.group(3) == '高い' else 'MAX'} {second}"
    return None


def _at_most(first: str, second: str) -> bool:
    """Both one specific amount in the same unit, the first no higher."""
    a, _, unit_a = first.partition(" JPY / ")
    b, _, unit_b = second.partition(" JPY / ")
    return bool(unit_a) and unit_a == unit_b and Decimal(a) <= Decimal(b)


def _shape(expression: str) -> tuple[tuple[str, ...], tuple[Decimal, ...]]:
    """(structure, rates) of an expression: "35.00% + 1204.00 JPY / kg" -> (("%", "+", "kg"), (35, 1204))."""
    structure: list[str] = []
    rates: list[Decimal] = []
    for token in re.split(r" (\+|MIN|MAX) ", expression):
        if token in ("+", "MIN", "MAX"):
            structure.append(token)
        elif token.endswith("%"):
            structure.append("%")
            rates.append(Decimal(token[:-1]))
        else:
            amount, _, unit = token.partition(" JPY / ")
            structure.append(unit)
            rates.append(Decimal(amount))
    return tuple(structure), tuple(rates)


def _lower(base: str, bound: str) -> str | None:
    """The lower of two expressions where one is lower for every value and quantity: same shape (terms, units,
    MIN/MAX) and each rate no higher. The duty rises with every rate of such a shape. None when neither is."""
    (shape_a, rates_a), (shape_b, rates_b) = _shape(base), _shape(bound)
    if shape_a != shape_b:
        return None
    if all(b <= a for a, b in zip(rates_a, rates_b, strict=True)):
        return bound
    if all(a <= b for a, b in zip(rates_a, rates_b, strict=True)):
        return base
    return None


def applied_mfn(rates: Mapping[str, str]) -> tuple[str, str]:
    """(expression or "manual: ...", basis) under the rule in the module docstring."""
    temporary, general, wto = (normalise_text(rates.get(k, "")) for k in ("暫定", "基本", "WTO協定"))
    base_text, basis = (temporary, "temporary") if temporary else (general, "general")
    if not base_text:
        return f"{MANUAL}no general or temporary rate printed (WTO {wto or '-'})", ""
    if is_parenthesised(base_text):
        return f"{MANUAL}{COLUMN_LABELS[basis]} printed in parentheses: {base_text}", basis
    base = translate(base_text)
    if base is None:
        return f"{MANUAL}{COLUMN_LABELS[basis]} {base_text}", basis
    if not wto or is_parenthesised(wto):
        return base, basis
    bound = translate(wto)
    if bound is None:
        return f"{MANUAL}{COLUMN_LABELS[basis]} {base_text}, WTO rate {wto} (cannot tell which is lower)", basis
    lower = _lower(base, bound)
    if lower is None:
        return f"{MANUAL}{COLUMN_LABELS[basis]} {base_text}, WTO rate {wto} (cannot tell which is lower)", basis
    return (bound, "wto") if lower == bound and bound != base else (base, basis)


# ---------------------------------------------------------------- the scrape -> the CSV

def _lines(nodes: Iterable[dict], inherited: Mapping[str, str]) -> Iterator[tuple[str, str, dict[str, str]]]:
    """(9-digit code, description, rates with the parents' rates filled in) for every statistical line."""
    for node in nodes:
        rates = dict(inherited)
        for key, value in (node.get("rate") or {}).items():
            if value and value.strip():
                rates[key] = value
        digits = node.get("stat_code", "").replace(".", "")
        suffix = node.get("hs_code", "")
        if len(digits) == 6 and digits.isdigit() and len(suffix) == 3 and suffix.isdigit():
            yield digits + suffix, node.get("desc", ""), rates
        yield from _lines(node.get("children") or (), rates)


_MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_SEASON = re.compile(r"毎年(\d{1,2})月(\d{1,2})日から(?:同年|翌年)(\d{1,2})月(\d{1,2}日|末日)までに輸入されるもの")
_MONTH_END = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}


def _season(description: str) -> str | None:
    """"毎年6月1日から同年11月30日までに輸入されるもの" -> "01 JUN-30 NOV"."""
    match = _SEASON.search(normalise_text(description))
    if match is None:
        return None
    start_month, start_day, end_month, end = match.groups()
    end_day = _MONTH_END[int(end_month)] if end == "末日" else int(end[:-1])
    return (f"{int(start_day):02d} {_MONTH_NAMES[int(start_month) - 1]}-"
            f"{end_day:02d} {_MONTH_NAMES[int(end_month) - 1]}")


def _row(code: str, printings: list[tuple[str, dict[str, str]]]) -> dict[str, str]:
    """One CSV row; a line printed once per season (fresh fruit) becomes a seasonal expression, which the
    duty-expression parser answers with a manual assessment naming each season's rate."""
    cells: list[dict[str, str]] = []
    for _, rates in printings:
        mfn, basis = applied_mfn(rates)
        cell = {"mfn": mfn, "mfn_basis": basis}
        for column in COLUMNS:
            printed = normalise_text(rates.get(column.scrape_key, ""))
            cell[column.name] = "" if not printed else (translate(printed) or f"{MANUAL}{printed}")
        cells.append(cell)
    if len(cells) == 1:
        return {"code": code, **cells[0]}
    seasons = [_season(description) for description, _ in printings]
    row = {"code": code, "mfn_basis": "/".join(dict.fromkeys(c["mfn_basis"] for c in cells))}
    for name in ("mfn", *(c.name for c in COLUMNS)):
        values = [c[name] for c in cells]
        if not any(values):
            row[name] = ""
        elif None in seasons:
            row[name] = f"{MANUAL}printed {len(cells)} times: " + " | ".join(
                f"{normalise_text(d)[:60]} {v}" for (d, _), v in zip(printings, values, strict=True))
        elif all(v and not v.startswith(MANUAL) for v in values):
            row[name] = ", ".join(f"{v} ({s})" for v, s in zip(values, seasons, strict=True))
        else:
            row[name] = f"{MANUAL}by season: " + ", ".join(
                f"{v.removeprefix(MANUAL) or 'none'} ({s})" for v, s in zip(values, seasons, strict=True))
    return row


def convert_scrape(folder: Path) -> list[dict[str, str]]:
    """One row per 9-digit line of the scrape folder's j_NN_tariff_data.json files (CSV_FIELDS)."""
    printings: dict[str, list[tuple[str, dict[str, str]]]] = defaultdict(list)
    for path in sorted(Path(folder).glob("j_*_tariff_data.json")):
        with open(path, encoding="utf-8") as handle:
            tree = json.load(handle)
        for code, description, rates in _lines(tree, {}):
            printings[code].append((description, rates))
    return [_row(code, printings[code]) for code in sorted(printings)]


def write_csv(rows: Iterable[Mapping[str, str]], path: Path, provenance: str = "") -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        if provenance:
            handle.write(f"# {provenance}\n")
        writer = csv.DictWriter(handle, fieldnames=CSV_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


# ---------------------------------------------------------------- the CSV -> measures

def _dotted(code: str) -> str:
    return f"{code[:4]}.{code[4:6]}.{code[6:]}" if len(code) == 9 else code


def _uniform(codes: list[str], values: Mapping[str, str], length: int) -> Iterator[tuple[str, str]]:
    """(prefix, expression) at the shortest prefixes (2, 4, 6, 9 digits) under which every line carries the same
    expression: one measure for a chapter that is free under an agreement instead of hundreds."""
    texts = {values.get(code, "") for code in codes}
    if len(texts) == 1:
        text = texts.pop()
        if text and not text.startswith(MANUAL):
            yield codes[0][:length], text
        return
    if length >= 9:
        return
    following = {2: 4, 4: 6, 6: 9}.get(length, 9)
    groups: dict[str, list[str]] = defaultdict(list)
    for code in codes:
        groups[code[:following]].append(code)
    for prefix in sorted(groups):
        yield from _uniform(groups[prefix], values, following)


@dataclass
class Counts:
    lines: int = 0
    mfn_computable: int = 0
    mfn_manual: int = 0
    preference_cells: dict[str, int] | None = None  # column -> lines with a translated rate
    preference_manual: dict[str, int] | None = None  # column -> lines with a rate kept out
    measures: dict[str, int] | None = None  # agreement -> preference measures


def _spans(editions: list[date]) -> dict[date, date | None]:
    return {start: (editions[i + 1] - timedelta(days=1) if i + 1 < len(editions) else None)
            for i, start in enumerate(editions)}


def read_editions(directory: Path) -> dict[date, list[dict[str, str]]]:
    return {date.fromisoformat(edition): read_csv(Path(directory) / name) for edition, name in EDITIONS.items()}


def build_measures(editions: Mapping[date, list[dict[str, str]]]) -> tuple[list[Measure], dict[date, Counts]]:
    dates = sorted(editions)
    until = _spans(dates)
    measures: list[Measure] = []
    counts: dict[date, Counts] = {}
    # (kind key, prefix, text) -> editions it holds in, so a rate unchanged across editions is one measure.
    held: dict[tuple[str, str, str, str], list[date]] = defaultdict(list)
    for edition in dates:
        rows = editions[edition]
        count = counts[edition] = Counts(lines=len(rows), preference_cells={}, preference_manual={})
        for row in rows:
            if row["mfn"].startswith(MANUAL):
                count.mfn_manual += 1
            else:
                count.mfn_computable += 1
                held[("mfn", row["code"], row["mfn"], row["mfn_basis"])].append(edition)
        codes = [row["code"] for row in rows]
        for column in COLUMNS:
            values = {row["code"]: row[column.name] for row in rows}
            count.preference_cells[column.name] = sum(1 for v in values.values() if v and not v.startswith(MANUAL))
            count.preference_manual[column.name] = sum(1 for v in values.values() if v.startswith(MANUAL))
            chapters: dict[str, list[str]] = defaultdict(list)
            for code in codes:
                chapters[code[:2]].append(code)
            for chapter in sorted(chapters):
                for prefix, text in _uniform(chapters[chapter], values, 2):
                    held[(column.name, prefix, text, "")].append(edition)
    by_column = {c.name: c for c in COLUMNS}
    per_agreement: dict[str, int] = defaultdict(int)
    for (key, prefix, text, basis), held_in in held.items():
        for start, end in _runs(held_in, dates, until):
            editions_text = ", ".join(d.isoformat() for d in dates if start <= d and (end is None or d <= end))
            if key == "mfn":
                source = (f"{SOURCE.format(edition=editions_text)}, line {_dotted(prefix)}, applied MFN: "
                          f"{COLUMN_LABELS.get(basis, basis)}")
                measures.append(Measure(DESTINATION, prefix, text, "mfn", None, None, start, end, source))
                continue
            column = by_column[key]
            scope = f"line {_dotted(prefix)}" if len(prefix) == 9 else f"every line under {prefix}"
            source = f"{SOURCE.format(edition=editions_text)}, {scope}, column {column.scrape_key}"
            if column.note:
                source += f" ({column.note})"
            for origin in column.origins:
                measures.append(Measure(DESTINATION, prefix, text, "preference", column.agreement, origin, start, end,
                                        source))
                per_agreement[column.agreement] += 1
    for count in counts.values():
        count.measures = dict(per_agreement)
    return measures, counts


def _runs(held_in: list[date], dates: list[date], until: Mapping[date, date | None]) -> Iterator[tuple[date, date | None]]:
    """Consecutive editions merged into (valid_from, valid_to) spans."""
    position = {d: i for i, d in enumerate(dates)}
    start = previous = None
    for edition in sorted(held_in):
        if start is None:
            start = previous = edition
        elif position[edition] == position[previous] + 1:
            previous = edition
        else:
            yield start, until[previous]
            start = previous = edition
    if start is not None:
        yield start, until[previous]


def read_measures(directory: Path) -> list[Measure]:
    measures, _ = build_measures(read_editions(directory))
    return measures


def main(argv: list[str]) -> int:
    if len(argv) not in (3, 4):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    folder, edition, out = Path(argv[0]), date.fromisoformat(argv[1]), Path(argv[2])
    provenance = argv[3] if len(argv) == 4 else ""
    rows = convert_scrape(folder)
    header = f"{SOURCE.format(edition=edition.isoformat())}; {provenance}".rstrip("; ")
    write_csv(rows, out, header)
    manual = sum(1 for row in rows if row["mfn"].startswith(MANUAL))
    print(f"{len(rows)} lines, {len(rows) - manual} with a computable MFN rate, {manual} manual -> {out}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:]))
