"""Readers for the customs reference data files (customs/data/, sources in SOURCES.md).

Plain file readers, no ORM: they turn the files into the tariff book's dataclasses, and
`read_book_records` into the records the `load_reference_data` command stores; the app builds
its book from the stored records with `build_tariff_book`, and tests and benchmarks from these
(`load_book_from_files`).
"""

from __future__ import annotations

import csv
import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from customs.domain.tariff_book import (
    Agreement,
    BookRecords,
    DestinationRegime,
    Measure,
    Restriction,
    TariffBook,
    build_tariff_book,
    parse_date,
)

DATA_DIR = Path(__file__).resolve().parent / "data"

UK_TARIFF_SOURCE = ("UK Department for International Trade, global-uk-tariff.csv (published 2 Dec 2020), "
                    "column ukgt_duty_rate: UK Global Tariff from 1 Jan 2021")
EU_TARIFF_SOURCE = ("UK Department for International Trade, global-uk-tariff.csv (published 2 Dec 2020), "
                    "column cet_duty_rate: EU Common External Tariff 2020")
UK_TARIFF_FROM = date(2021, 1, 1)
EU_TARIFF_FROM = date(2020, 1, 1)


@dataclass(frozen=True, slots=True)
class HsEntry:
    code: str  # "01", "0101", "010121"
    description: str
    parent: str | None  # None for chapters
    level: int  # 2 chapter, 4 heading, 6 subheading
    section: str  # Roman numeral


@dataclass(frozen=True, slots=True)
class HsSection:
    code: str
    name: str


def national_code(raw: str) -> str:
    """The tariff file prints codes as numbers, losing the leading zero of chapters 01-09:
    "1012100" is 0101 21 00 and "302118011" is 0302 11 80 11. Codes are 8 or 10 digits."""
    raw = raw.strip()
    if not raw.isdigit() or not 7 <= len(raw) <= 10:
        raise ValueError(f"not a CN code: {raw!r}")
    return raw.zfill(8) if len(raw) <= 8 else raw.zfill(10)


def read_hs_sections(directory: Path = DATA_DIR / "hs") -> list[HsSection]:
    with open(directory / "sections.csv", encoding="utf-8-sig", newline="") as handle:
        return [HsSection(row["section"], row["name"]) for row in csv.DictReader(handle)]


def read_hs_nomenclature(directory: Path = DATA_DIR / "hs") -> list[HsEntry]:
    with open(directory / "harmonized-system.csv", encoding="utf-8-sig", newline="") as handle:
        return [
            HsEntry(code=row["hscode"], description=row["description"],
                    parent=None if row["parent"] == "TOTAL" else row["parent"],
                    level=int(row["level"]), section=row["section"])
            for row in csv.DictReader(handle)
            # Skips the file's "TOTAL" rows (99 / 9999 / 999999 "not specified"): not HS codes.
            if row["hscode"].isdigit() and row["section"] != "TOTAL"
        ]


HS_NAMES_ZH_SOURCE = ("eWTP project's own Simplified Chinese rendering of the HS 2022 chapter, heading and "
                      "subheading titles (not an official text; worded after the chapter titles of the Customs "
                      "Tariff of the People's Republic of China), customs/data/hs/hs-names-zh.csv, 2026-11, completed 2026-12")


def read_hs_names_zh(directory: Path = DATA_DIR / "hs") -> dict[str, str]:
    """Simplified Chinese names for every HS 2022 chapter, heading and subheading."""
    with open(directory / "hs-names-zh.csv", encoding="utf-8", newline="") as handle:
        return {row["hscode"]: row["name_zh"].strip() for row in csv.DictReader(handle)}


@dataclass(frozen=True, slots=True)
class TariffLine:
    code: str
    description: str
    flags: dict[str, bool]


def read_tariff_lines(path: Path = DATA_DIR / "tariffs" / "uk-global-tariff-2021.csv") -> list[TariffLine]:
    """The national lines (CN 2020 codes with descriptions and the file's flags)."""
    flag_columns = ("trade_remedy_applies", "cet_applies_until_trade_remedy_transition_reviews_concluded",
                    "suspension_applies", "atq_applies")
    with open(path, encoding="utf-8", newline="") as handle:
        return [TariffLine(national_code(row["commodity"]), row["description"].strip(),
                           {c: row[c] == "True" for c in flag_columns})
                for row in csv.DictReader(handle)]


def read_tariff_measures(path: Path = DATA_DIR / "tariffs" / "uk-global-tariff-2021.csv") -> list[Measure]:
    """Every line of the UK/EU file twice: GB (UK Global Tariff) and EU (Common External Tariff)."""
    measures: list[Measure] = []
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code = national_code(row["commodity"])
            measures.append(Measure("GB", code, row["ukgt_duty_rate"], "mfn", None, None, UK_TARIFF_FROM, None,
                                    UK_TARIFF_SOURCE))
            measures.append(Measure("EU", code, row["cet_duty_rate"], "mfn", None, None, EU_TARIFF_FROM, None,
                                    EU_TARIFF_SOURCE))
    return measures


def _read_json(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def _measures(rows: Iterable[dict[str, Any]], kind: str) -> list[Measure]:
    return [
        Measure(destination=row["destination"], code=row["code"], expression_text=row["expression_text"], kind=kind,
                agreement=row.get("agreement"), origin=row.get("origin"), valid_from=parse_date(row["valid_from"]),
                valid_to=parse_date(row.get("valid_to")), source=row["source"], title=row.get("title", ""))
        for row in rows
    ]


def read_other_mfn_measures(path: Path = DATA_DIR / "tariffs" / "mfn-rates.json") -> list[Measure]:
    return _measures(_read_json(path)["measures"], "mfn")


def read_preferential_measures(path: Path = DATA_DIR / "tariffs" / "preferential-rates.json") -> list[Measure]:
    return _measures(_read_json(path)["measures"], "preference")


def read_additional_measures(path: Path = DATA_DIR / "tariffs" / "additional-duties.json") -> list[Measure]:
    return _measures(_read_json(path)["measures"], "additional")


EU_TEDB_FILE = DATA_DIR / "regimes" / "eu-tedb-vat-rates-2025.json"
TEDB_SOURCE = ("European Commission, DG TAXUD, Taxes in Europe Database (TEDB) v4, retrieveVatRates answer "
               "retrieved 26 Aug 2025 (customs/data/regimes/eu-tedb-vat-rates-2025.json)")
# TEDB categories of goods whose rates are loaded, with the HS headings a code must fall in for the
# category's definition to be met by the code alone (used only when categories disagree on one code).
# Other categories (agricultural inputs, medical equipment for the disabled, works of art, energy,
# services...) depend on use, originality or the buyer, which the HS code does not tell: not loaded.
TEDB_CATEGORIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "FOODSTUFFS": ("foodstuffs", tuple(f"{n:02d}" for n in range(1, 24))),
    "LOAN_LIBRARIES": ("books and printed matter", ("4901", "4903", "4904", "4905")),
    "BOOKS": ("books", ("4901", "4903", "4904", "4905")),
    "NEWSPAPERS": ("newspapers", ("4902",)),
    "PERIODICALS": ("periodicals", ("4902",)),
    "PHARMACEUTICAL_PRODUCTS": ("pharmaceutical products", ("30",)),
    "CHILD_WEAR": ("children's clothing", ()),  # children under 14: the size, not the code, decides
}
TEDB_NOT_RATES = ("NOT_APPLICABLE", "OUT_OF_SCOPE")  # value 0.0 in TEDB, but no rate: skipped
TEDB_STATE_CODES = {"EL": "GR"}  # TEDB writes Greece as EL


def _pct(value: Decimal) -> str:
    return f"{format(value.normalize(), 'f')}%"


def _tedb_candidates(records: list[dict[str, Any]], prefix: str) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """Per category, the records whose CN code covers `prefix` at the longest length (import records first)."""
    found: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for record in records:
        best = max((c for c in record["_codes"] if prefix.startswith(c)), key=len, default=None)
        if best is None:
            continue
        rows = found.setdefault(record["category"]["identifier"], [])
        if rows and len(rows[0][0]) > len(best):
            continue
        if rows and len(rows[0][0]) < len(best):
            rows.clear()
        rows.append((best, record))
    for category, rows in found.items():
        imports = [row for row in rows if row[1]["_import"]]
        found[category] = imports or rows
    return found


def _tedb_resolve(state: str, prefix: str, found: dict[str, list[tuple[str, dict[str, Any]]]],
                  situation: str) -> dict[str, Any]:
    """One CN prefix of one state: the rate TEDB gives it, or the standard rate with the reason."""
    def rate_of(record: dict[str, Any]) -> Decimal:
        rate = Decimal(str(record["rate"]["value"]))
        return rate.quantize(Decimal(1)) if rate == rate.to_integral_value() else rate

    def cite(code: str, record: dict[str, Any]) -> str:
        comment = " ".join((record.get("comment") or "").split())
        category = record["category"]["identifier"]
        text = (f"{TEDB_SOURCE}: {state} {category} situation on {record['situationOn']}, CN {code}, "
                f"{record['rate']['type']} {_pct(rate_of(record))}")
        return f"{text}; TEDB comment: {comment}" if comment else text

    decided: dict[str, tuple[Decimal, str, dict[str, Any]]] = {}
    undecided: list[str] = []
    for category, rows in found.items():
        rates = {rate_of(record) for _, record in rows}
        if len(rates) == 1 and category != "CHILD_WEAR":
            code, record = rows[0]
            decided[category] = (rates.pop(), code, record)
        else:
            undecided.append(category)
    rates = {rate for rate, _, _ in decided.values()}
    chosen: str | None = None
    why = ""
    home = [c for c in found if prefix.startswith(TEDB_CATEGORIES[c][1])]
    if not undecided and len(rates) == 1:
        chosen = min(decided)  # all agree: cite one (stable)
    elif home and not set(home) & set(undecided):
        if len({decided[c][0] for c in home}) == 1:
            chosen = sorted(home)[0]
            others = sorted({f"{_pct(r)} {c}" for c, rows in found.items() if c not in home
                             for r in (rate_of(record) for _, record in rows)})
            why = f" (category whose headings hold CN {prefix}; TEDB also lists {', '.join(others)})"
    if chosen is not None:
        rate, code, record = decided[chosen]
        kind = "zero rate" if rate == 0 else f"reduced rate {_pct(rate)}"
        label = f"{kind}: {TEDB_CATEGORIES[chosen][0]}, TEDB {chosen}{why}"
        if record.get("comment"):
            label += ", conditions in source"
        return {"hs_prefix": prefix, "rate": str(rate), "label": label, "source": cite(code, record),
                "valid_from": situation}
    listed = [(code, record) for rows in found.values() for code, record in rows]
    options = sorted({f"{_pct(rate_of(r))} {r['category']['identifier']}" for _, r in listed})
    if "CHILD_WEAR" in found:
        reason = "TEDB's children's clothing rate depends on the child's age and size, which the HS code does not tell"
    else:
        reason = "conditions the HS code alone cannot decide"
    return {"hs_prefix": prefix, "rate": None, "valid_from": situation,
            "label": f"standard rate: TEDB lists {' and '.join(options)} for CN {prefix}, {reason}",
            "source": " | ".join(cite(code, record) for code, record in listed)}


def read_eu_reduced_rates(path: Path = EU_TEDB_FILE) -> dict[str, list[dict[str, Any]]]:
    """Reduced VAT rates by CN prefix per member state (ISO2), from the Commission's TEDB answer.

    Rules (customs/data/SOURCES.md): per state and category, the record(s) of the latest situationOn not
    after a date; a CN code with spaces covers every code under it (8-digit codes keep their digits); within
    a category the longest code wins and "VAT - Import" records beat domestic ones; where categories give one
    code different rates, the category whose own headings hold the code wins (books 4901 over press
    publications listed there); what stays undecided keeps the standard rate, its label naming the options.
    Each row is dated from the situationOn of its records to the day before the state's next situation."""
    records = [r for r in _read_json(path)["vatRateResults"]
               if r["type"] == "REDUCED" and r.get("category") and r["category"]["identifier"] in TEDB_CATEGORIES
               and (r.get("cnCodes") or {}).get("code") and r["rate"]["type"] not in TEDB_NOT_RATES]
    by_state: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        record["_codes"] = tuple(c["value"].replace(" ", "") for c in record["cnCodes"]["code"])
        record["_import"] = (record.get("comment") or "").lstrip().upper().startswith("VAT - IMPORT")
        by_state.setdefault(TEDB_STATE_CODES.get(record["memberState"], record["memberState"]), []).append(record)
    result: dict[str, list[dict[str, Any]]] = {}
    for state, rows in sorted(by_state.items()):
        snapshots: dict[str, set[str]] = {}
        for record in rows:
            snapshots.setdefault(record["category"]["identifier"], set()).add(record["situationOn"])
        cuts = sorted({d for dates in snapshots.values() for d in dates})
        open_rows: dict[str, dict[str, Any]] = {}
        out: list[dict[str, Any]] = []
        for cut in cuts:
            latest = {c: max((d for d in dates if d <= cut), default=None) for c, dates in snapshots.items()}
            active = [r for r in rows if r["situationOn"] == latest[r["category"]["identifier"]]]
            prefixes = {code for record in active for code in record["_codes"]}
            day_before = (date.fromisoformat(cut) - timedelta(days=1)).isoformat()
            for prefix in list(open_rows):
                if prefix not in prefixes:
                    open_rows.pop(prefix)["valid_to"] = day_before
            for prefix in sorted(prefixes):
                row = _tedb_resolve(state, prefix, _tedb_candidates(active, prefix), cut)
                previous = open_rows.get(prefix)
                if previous is not None and (previous["rate"], previous["label"], previous["source"]) == (
                        row["rate"], row["label"], row["source"]):
                    continue
                if previous is not None:
                    previous["valid_to"] = day_before
                open_rows[prefix] = row
                out.append(row)
        result[state] = out
    return result


def read_destinations(path: Path = DATA_DIR / "regimes" / "destinations.json",
                      eu_reduced_path: Path | None = None) -> list[DestinationRegime]:
    """Every destination; a member state's entry carries its VAT and takes the rest from its union's entry,
    with the TEDB reduced rates of `read_eu_reduced_rates` (the file beside destinations.json) added to its
    own reduced_rates; a row of its own at the same prefix wins (hand-checked, it says why)."""
    path = Path(path)
    rows = _read_json(path)["destinations"]
    by_code = {row["code"]: row for row in rows}
    tedb_path = Path(eu_reduced_path) if eu_reduced_path else path.parent / EU_TEDB_FILE.name
    tedb = read_eu_reduced_rates(tedb_path) if tedb_path.exists() else {}
    regimes = []
    for row in rows:
        union = by_code.get(row.get("union") or "")
        if union is not None:
            own = row.get("reduced_rates", [])
            held = {r["hs_prefix"] for r in own}
            reduced = [*own, *(r for r in tedb.get(row["code"], []) if r["hs_prefix"] not in held)]
            merged = {**{k: v for k, v in union.items() if k != "members"}, **row, "territory": union["code"],
                      "source": f"{row['source']}; customs rules: {union['source']}", "reduced_rates": reduced}
            regimes.append(DestinationRegime.from_json(merged))
        else:
            regimes.append(DestinationRegime.from_json(row))
    return regimes


@functools.cache
def read_countries(path: Path = DATA_DIR / "origin" / "iso3166.tab") -> frozenset[str]:
    """The ISO 3166-1 alpha-2 codes (the tz database's iso3166.tab, public domain)."""
    with open(path, encoding="utf-8") as handle:
        return frozenset(line.split("\t", 1)[0] for line in handle if line.strip() and not line.startswith("#"))


def read_origin_rules(path: Path = DATA_DIR / "origin" / "origin-rules.json") -> dict[str, dict]:
    """The rules of origin the platform checks, per agreement code (customs/domain/origin.py reads them)."""
    return _read_json(path)["agreements"] if path.exists() else {}


def read_agreements(path: Path = DATA_DIR / "agreements" / "agreements.json",
                    origin_rules: dict[str, dict] | None = None) -> list[Agreement]:
    """One agreements file; `read_all_agreements` reads every file of the folder."""
    rules = read_origin_rules() if origin_rules is None else origin_rules
    return [
        Agreement(code=row["code"], name=row["name"], parties=tuple(row["parties"]),
                  in_force_from=parse_date(row["in_force_from"]), origin_criteria=tuple(row["origin_criteria"]),
                  rule_of_origin=row["rule_of_origin"], proof_of_origin=row["proof_of_origin"],
                  source=row["source"], as_of=parse_date(row["as_of"]), origin_rules=rules.get(row["code"]))
        for row in _read_json(path)["agreements"]
    ]


def read_restrictions(path: Path = DATA_DIR / "restrictions" / "restrictions.json") -> list[Restriction]:
    return [
        Restriction(destination=row["destination"], hs_prefix=row["hs_prefix"], kind=row["kind"],
                    wording=row["wording"], authority=row["authority"], source=row["source"],
                    as_of=parse_date(row["as_of"]), origin=row.get("origin"))
        for row in _read_json(path)["restrictions"]
    ]


def read_all_agreements(directory: Path = DATA_DIR / "agreements") -> list[Agreement]:
    rules = read_origin_rules(Path(directory).parent / "origin" / "origin-rules.json")
    return [agreement for path in sorted(Path(directory).glob("*.json"))
            for agreement in read_agreements(path, rules)]


def read_all_measures(data_dir: Path = DATA_DIR) -> list[Measure]:
    """Every tariff measure the book holds: the UK/EU file, the hand-sourced JSON files and each
    national schedule of `customs.national_tariffs`."""
    from customs.national_tariffs import MODULES

    tariffs = Path(data_dir) / "tariffs"
    measures = [
        *read_tariff_measures(tariffs / "uk-global-tariff-2021.csv"),
        *read_other_mfn_measures(tariffs / "mfn-rates.json"),
        *read_preferential_measures(tariffs / "preferential-rates.json"),
        *read_additional_measures(tariffs / "additional-duties.json"),
    ]
    for module in MODULES:
        measures.extend(module.read_measures(tariffs))
    return measures


HS_CORRELATION_SOURCE = ("UN Statistics Division, HS2022toHS2017ConversionAndCorrelationTables.xlsx (from the WCO "
                         "correlation tables), sheets 'HS2022-HS2017 Conversions' and 'Correlations'")


def read_hs_correlation(directory: Path = DATA_DIR / "tariffs") -> dict[str, tuple[str, ...]]:
    """HS 2022 subheading -> the HS 2017 subheadings it correlates with, the conversion sheet's one code
    first; only subheadings that are not simply unchanged (1:1 onto the same code)."""
    directory = Path(directory)
    with open(directory / "hs2022-to-hs2017-conversion.csv", encoding="utf-8", newline="") as handle:
        conversion = {row["hs2022"]: row["hs2017"] for row in csv.DictReader(handle)}
    related: dict[str, list[str]] = {code: [old] for code, old in conversion.items()}
    with open(directory / "hs2022-hs2017-correlation.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            olds = related.setdefault(row["hs2022"], [])
            if row["hs2017"] not in olds:
                olds.append(row["hs2017"])
    return {code: tuple(olds) for code, olds in related.items()
            if olds != [code] and code.isdigit() and code != "999999"}


def read_book_records(data_dir: Path = DATA_DIR) -> BookRecords:
    """The tariff book's records from the files: what the loader stores (the HS codes from the nomenclature
    it stores with the HS dataset), and what the app reads back."""
    data_dir = Path(data_dir)
    return BookRecords(
        measures=[measure.as_row() for measure in read_all_measures(data_dir)],
        destinations=[d.as_json() for d in read_destinations(data_dir / "regimes" / "destinations.json")],
        agreements=[a.as_json() for a in read_all_agreements(data_dir / "agreements")],
        restrictions=[r.as_json() for r in read_restrictions(data_dir / "restrictions" / "restrictions.json")],
        # Comtrade's "99 commodities not specified" is a statistics code, not a customs one (the reader skips it).
        hs_codes=[entry.code for entry in read_hs_nomenclature(data_dir / "hs")],
        hs_correlation={code: list(olds) for code, olds in read_hs_correlation(data_dir / "tariffs").items()},
    )


def load_book_from_files(data_dir: Path = DATA_DIR) -> TariffBook:
    """The book the app builds from its tables, built by the same function from the same records read
    from the files (tests and benchmarks: no database load)."""
    return build_tariff_book(read_book_records(data_dir))
