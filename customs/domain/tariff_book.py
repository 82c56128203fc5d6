"""The tariff book: measures, destinations, agreements and restrictions, indexed for fast lookup.

Pure and in memory. One builder, `build_tariff_book`, makes it from `BookRecords`: measure rows
and JSON documents, as the database stores them. The app reads the records from its tables
(customs.selectors.tariff_book, once per process); tests and benchmarks read the same records
from the data files (customs.reference.read_book_records, which the loader stores).

Codes are digit strings with their leading zeros ("0101210000"); a measure applies to every
national code that starts with its `code` ("" = every line). Lookups walk the prefixes of the
asked code from the longest down, a handful of dict hits per line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from customs.domain.duty_expression import DutyExpression, parse_duty_expression
from customs.domain.origin import AgreementRules, Assessment, OriginDeclaration, assess, parse_agreement_rules

MEASURE_KINDS = ("mfn", "preference", "additional")

def _every(count: int) -> str:
    return "the only tariff line" if count == 1 else f"each of the {count} tariff lines"


def normalise_code(code: str) -> str:
    """'6109.10.00 10' -> '6109100010'. Does not pad: callers know whether a zero was lost."""
    if code.isdigit():
        return code
    return "".join(ch for ch in str(code) if ch not in " .-")


def parse_date(value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


# ---------------------------------------------------------------- measures, agreements, restrictions

@dataclass(frozen=True, slots=True)
class Measure:
    destination: str  # customs territory: "GB", "EU", "US", ...
    code: str  # national code prefix, digits with leading zeros; "" = every line
    expression_text: str
    kind: str  # "mfn" | "preference" | "additional"
    agreement: str | None
    origin: str | None  # preference: the party it is for; additional: the origin it targets
    valid_from: date
    valid_to: date | None
    source: str
    title: str = ""  # short name for additional duties ("Section 301 List 4A")
    expression: DutyExpression = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in MEASURE_KINDS:
            raise ValueError(f"unknown measure kind {self.kind!r}")
        # Parsed once here (and cached across identical texts): quotes never re-parse.
        object.__setattr__(self, "expression", parse_duty_expression(self.expression_text))

    def in_force(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def as_row(self) -> tuple:
        """The measure as stored: the values of MEASURE_COLUMNS, "" for no agreement or origin."""
        return (self.destination, self.code, self.expression_text, self.kind, self.agreement or "", self.origin or "",
                self.valid_from, self.valid_to, self.source, self.title)


# The columns of a stored measure (customs.models.TariffMeasure), in the order of `Measure.as_row`.
MEASURE_COLUMNS = ("destination", "code", "expression_text", "kind", "agreement", "origin", "valid_from",
                   "valid_to", "source", "title")


@dataclass(frozen=True, slots=True)
class Agreement:
    code: str  # "RCEP", "EU-JP-EPA", ...
    name: str
    parties: tuple[str, ...]  # ISO2; the EU as "EU"
    in_force_from: date
    origin_criteria: tuple[str, ...]  # "WO" wholly obtained, "CTH", "CTSH", "RVC40", ...
    rule_of_origin: str
    proof_of_origin: str
    source: str
    as_of: date
    # The rules the platform checks (customs/data/origin/origin-rules.json, as stored); None: none held
    origin_rules: Mapping[str, Any] | None = field(default=None, compare=False, hash=False)

    def in_force(self, on: date) -> bool:
        return self.in_force_from <= on

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Agreement:
        return cls(code=data["code"], name=data["name"], parties=tuple(data["parties"]),
                   in_force_from=parse_date(data["in_force_from"]), origin_criteria=tuple(data["origin_criteria"]),
                   rule_of_origin=data["rule_of_origin"], proof_of_origin=data["proof_of_origin"],
                   source=data["source"], as_of=parse_date(data["as_of"]), origin_rules=data.get("origin_rules"))

    def as_json(self) -> dict[str, Any]:
        return _jsonable(self)


@dataclass(frozen=True, slots=True)
class Restriction:
    destination: str  # customs territory or country
    hs_prefix: str
    kind: str  # "prohibited" | "licence_required"
    wording: str
    authority: str
    source: str
    as_of: date
    origin: str | None = None  # only goods of this origin, None = any

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Restriction:
        return cls(destination=data["destination"], hs_prefix=data["hs_prefix"], kind=data["kind"],
                   wording=data["wording"], authority=data["authority"], source=data["source"],
                   as_of=parse_date(data["as_of"]), origin=data.get("origin"))

    def as_json(self) -> dict[str, Any]:
        return _jsonable(self)


def _jsonable(value: Any) -> Any:
    """A reference dataclass as JSON: decimals as strings, dates as ISO strings, tuples as lists."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {name: _jsonable(getattr(value, name)) for name in value.__dataclass_fields__
                if not name.startswith("_")}
    return value


# ---------------------------------------------------------------- destination regimes

@dataclass(frozen=True, slots=True)
class RateChange:
    rate: Decimal
    valid_from: date
    source: str


@dataclass(frozen=True, slots=True)
class ReducedRate:
    """A VAT/GST rate other than the standard one for every code under `hs_prefix`, in force from
    `valid_from` to `valid_to` (None: open). `rate` None keeps the standard rate in force with `label`
    saying why (a reduced rate exists whose conditions the HS code alone cannot decide)."""

    hs_prefix: str
    rate: Decimal | None
    label: str
    source: str
    valid_from: date | None = None
    valid_to: date | None = None

    def in_force(self, on: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or on <= self.valid_to)


@dataclass(frozen=True, slots=True)
class Threshold:
    """A de minimis: at or below `amount` (legal currency) the duty or tax is not charged.

    `amount` None records a period with no de minimis (e.g. the US from 29 Aug 2025)."""

    kind: str  # "duty" | "tax"
    amount: Decimal | None
    currency: str
    basis: str  # "intrinsic" goods value | "customs_value" | "amount_payable" (duty + tax due)
    valid_from: date
    valid_to: date | None
    origins: tuple[str, ...]  # only for these origins; () = any
    excluded_origins: tuple[str, ...]
    source: str
    note: str = ""

    def applies(self, on: date, origin: str) -> bool:
        if on < self.valid_from or (self.valid_to is not None and on > self.valid_to):
            return False
        if self.origins and origin not in self.origins:
            return False
        return origin not in self.excluded_origins


@dataclass(frozen=True, slots=True)
class SpecialRegime:
    """A low-value regime: at or below `max_value` no duty, and the tax is collected by the seller or
    marketplace at the point of sale instead of at the border (EU IOSS, UK £135, AU and SG LVG)."""

    code: str
    name: str
    max_value: Decimal
    currency: str
    value_basis: str  # "intrinsic" | "customs_value"
    tax_base: str  # "goods" | "goods_and_transport" (the sale price incl. delivery)
    valid_from: date
    valid_to: date | None
    wording: str
    source: str
    # CN cross-border e-commerce retail import: only for consumer buyers, within a yearly limit per person,
    # the tax assessed at the border at `tax_share` percent of the statutory amount (None: collected at sale).
    buyers: str = "any"  # "any" | "consumer"
    annual_limit: Decimal | None = None
    tax_share: Decimal | None = None

    def in_force(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


@dataclass(frozen=True, slots=True)
class Fee:
    code: str
    name: str
    kind: str  # "flat" | "ad_valorem"
    amount: Decimal  # flat amount, or percent for ad valorem
    currency: str
    minimum: Decimal | None
    maximum: Decimal | None
    value_over: Decimal | None  # applies when the customs value is above this...
    value_up_to: Decimal | None  # ...and at or below this (fee currency)
    valid_from: date
    valid_to: date | None
    illustrative: bool
    source: str

    def applies(self, on: date, value: Decimal) -> bool:
        if on < self.valid_from or (self.valid_to is not None and on > self.valid_to):
            return False
        if self.value_over is not None and value <= self.value_over:
            return False
        return self.value_up_to is None or value <= self.value_up_to


def _d(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@dataclass(frozen=True, slots=True)
class Rounding:
    """Where a destination's law cuts figures down rather than rounding each to the minor unit (Japan):
    the ad valorem duty base to a multiple of `duty_base_unit`, the duty payable to `duty_total_unit`, each
    line's duty in the tax base to `duty_in_tax_base_unit`, the tax base to `tax_base_unit` and each kind of
    tax payable to `tax_total_unit`. Where the tax is a national and a local one, `national_share` percent
    of the rate is national and the local tax is charged on the national amount cut to `local_base_unit`
    at (100 - national_share) / national_share of it."""

    valid_from: date
    duty_base_unit: Decimal
    duty_total_unit: Decimal
    duty_in_tax_base_unit: Decimal
    tax_base_unit: Decimal
    tax_total_unit: Decimal
    national_share: Decimal | None
    local_base_unit: Decimal | None
    source: str

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Rounding | None:
        if not data:
            return None
        return cls(valid_from=parse_date(data["valid_from"]), duty_base_unit=Decimal(str(data["duty_base_unit"])),
                   duty_total_unit=Decimal(str(data["duty_total_unit"])),
                   duty_in_tax_base_unit=Decimal(str(data["duty_in_tax_base_unit"])),
                   tax_base_unit=Decimal(str(data["tax_base_unit"])), tax_total_unit=Decimal(str(data["tax_total_unit"])),
                   national_share=_d(data.get("national_share")), local_base_unit=_d(data.get("local_base_unit")),
                   source=data["source"])


@dataclass(frozen=True, slots=True)
class DestinationRegime:
    code: str  # ISO2 of the country (or "EU" for the union itself)
    name: str
    territory: str  # the customs territory whose tariff applies: "EU" for member states
    currency: str
    tax_name: str  # "VAT", "GST", "Consumption tax", "Sales tax"; "" when none at the border
    standard_rates: tuple[RateChange, ...]  # sorted by valid_from
    reduced_rates: tuple[ReducedRate, ...]
    thresholds: tuple[Threshold, ...]
    valuation_basis: str  # "CIF" | "FOB"
    vat_on_duty_inclusive: bool
    tax_base_adds_transport: bool  # AU: GST on customs value (FOB) + duty + transport and insurance
    fees: tuple[Fee, ...]
    special_regimes: tuple[SpecialRegime, ...]
    source: str
    as_of: date
    notes: str = ""
    valuation_source: str = ""
    tax_base_source: str = ""
    # "HS2017" where the national lines are coded in HS 2017 (read through the HS 2022 correlation table).
    tariff_hs_edition: str = "HS2022"
    # First date of a complete national tariff (GB 2021-01-01, EU 2020-01-01); None where only some
    # lines' rates are held, whose dates are then checked line by line.
    tariff_from: date | None = None
    rounding: Rounding | None = None  # None: every figure rounded half-up to the minor unit
    # Built in __post_init__ from reduced_rates; not part of the JSON.
    _reduced_index: dict[str, tuple[ReducedRate, ...]] = field(init=False, repr=False, compare=False)
    _reduced_lengths: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def standard_rate(self, on: date) -> RateChange | None:
        current = None
        for change in self.standard_rates:
            if change.valid_from <= on:
                current = change
        return current

    def __post_init__(self) -> None:
        # Reduced rates by prefix, newest first, and the prefix lengths held (longest first): a lookup is
        # one dict probe per length, whatever the number of prefixes (EU states hold hundreds from TEDB).
        index: dict[str, list[ReducedRate]] = defaultdict(list)
        for reduced in self.reduced_rates:
            index[reduced.hs_prefix].append(reduced)
        object.__setattr__(self, "_reduced_index", {
            prefix: tuple(sorted(rows, key=lambda r: r.valid_from or date.min, reverse=True))
            for prefix, rows in index.items()})
        object.__setattr__(self, "_reduced_lengths", tuple(sorted({len(p) for p in index}, reverse=True)))

    def tax_rate(self, code: str, on: date) -> tuple[Decimal, str, str] | None:
        """(rate, label, source) for an HS code: the longest reduced-rate prefix in force on `on`, else
        the standard rate. A row with no rate keeps the standard rate under its own label (the reason)."""
        index = self._reduced_index
        for length in self._reduced_lengths:
            if length > len(code):
                continue
            for reduced in index.get(code[:length], ()):
                if reduced.in_force(on):
                    if reduced.rate is not None:
                        return reduced.rate, reduced.label, reduced.source
                    standard = self.standard_rate(on)
                    if standard is None:
                        return None
                    return standard.rate, reduced.label, f"{reduced.source}; standard rate: {standard.source}"
        standard = self.standard_rate(on)
        if standard is None:
            return None
        return standard.rate, "standard rate", standard.source

    # JSON round trip so the customs app can store a regime in one JSON column.
    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DestinationRegime:
        return cls(
            code=data["code"],
            name=data["name"],
            territory=data.get("territory") or data["code"],
            currency=data["currency"],
            tax_name=data.get("tax_name") or "",
            standard_rates=tuple(sorted(
                (RateChange(Decimal(str(r["rate"])), parse_date(r["valid_from"]), r["source"])
                 for r in data.get("standard_rates", [])),
                key=lambda r: r.valid_from)),
            reduced_rates=tuple(ReducedRate(r["hs_prefix"], _d(r["rate"]), r["label"], r["source"],
                                            parse_date(r.get("valid_from")), parse_date(r.get("valid_to")))
                                for r in data.get("reduced_rates", [])),
            thresholds=tuple(Threshold(
                kind=t["kind"], amount=_d(t.get("amount")), currency=t["currency"], basis=t.get("basis", "intrinsic"),
                valid_from=parse_date(t.get("valid_from") or "1900-01-01"), valid_to=parse_date(t.get("valid_to")),
                origins=tuple(t.get("origins", ())), excluded_origins=tuple(t.get("excluded_origins", ())),
                source=t["source"], note=t.get("note", "")) for t in data.get("thresholds", [])),
            valuation_basis=data["valuation_basis"],
            vat_on_duty_inclusive=bool(data.get("vat_on_duty_inclusive")),
            tax_base_adds_transport=bool(data.get("tax_base_adds_transport")),
            fees=tuple(Fee(
                code=f["code"], name=f["name"], kind=f["kind"], amount=Decimal(str(f["amount"])), currency=f["currency"],
                minimum=_d(f.get("minimum")), maximum=_d(f.get("maximum")), value_over=_d(f.get("value_over")),
                value_up_to=_d(f.get("value_up_to")), valid_from=parse_date(f["valid_from"]),
                valid_to=parse_date(f.get("valid_to")), illustrative=bool(f.get("illustrative")), source=f["source"],
            ) for f in data.get("fees", [])),
            special_regimes=tuple(SpecialRegime(
                code=s["code"], name=s["name"], max_value=Decimal(str(s["max_value"])), currency=s["currency"],
                value_basis=s.get("value_basis", "intrinsic"), tax_base=s.get("tax_base", "goods_and_transport"),
                valid_from=parse_date(s["valid_from"]), valid_to=parse_date(s.get("valid_to")),
                wording=s["wording"], source=s["source"], buyers=s.get("buyers", "any"),
                annual_limit=_d(s.get("annual_limit")), tax_share=_d(s.get("tax_share")),
            ) for s in data.get("special_regimes", [])),
            source=data["source"],
            as_of=parse_date(data["as_of"]),
            notes=data.get("notes", ""),
            valuation_source=data.get("valuation_source", ""),
            tax_base_source=data.get("vat_base_source") or data.get("tax_base_source", ""),
            tariff_from=parse_date(data.get("tariff_from")),
            tariff_hs_edition=data.get("tariff_hs_edition") or "HS2022",
            rounding=Rounding.from_json(data.get("rounding")),
        )

    def as_json(self) -> dict[str, Any]:
        return _jsonable(self)


# ---------------------------------------------------------------- the book

@dataclass(frozen=True, slots=True)
class Lookup:
    """What applies to one line: the MFN measure, the preferences open to its origin, additional duties."""

    code: str  # the code as asked
    matched_code: str | None  # the tariff line the MFN came from
    mfn: Measure | None
    preferences: tuple[Measure, ...]
    additional: tuple[Measure, ...]
    note: str  # how the line was found (fallbacks), or why not


@dataclass(frozen=True, slots=True)
class Coverage:
    territory: str
    lines: int  # MFN measures in force
    sources: tuple[str, ...]
    first_date: date | None
    rated: tuple[str, ...]  # HS 2022 subheadings with one MFN duty
    national_code_needed: tuple[str, ...]  # rated per national line, with different duties under the subheading
    without_rate: tuple[str, ...]  # manual assessment


class TariffBook:
    def __init__(self, measures: Iterable[Measure], destinations: Iterable[DestinationRegime],
                 agreements: Iterable[Agreement], restrictions: Iterable[Restriction],
                 hs_codes: Iterable[str], hs_correlation: Mapping[str, tuple[str, ...]] | None = None) -> None:
        """`hs_correlation`: HS 2022 subheading -> the HS 2017 subheadings it correlates with (the WCO/UNSD
        table, the conversion's single code first), read where a destination's tariff is HS 2017 based."""
        self._by_code: dict[str, dict[str, list[Measure]]] = defaultdict(lambda: defaultdict(list))
        self._under: dict[str, dict[str, list[Measure]]] = defaultdict(lambda: defaultdict(list))
        self._starts: dict[str, date] = {}
        count = 0
        for measure in measures:
            count += 1
            self._by_code[measure.destination][measure.code].append(measure)
            if measure.kind == "mfn":
                start = self._starts.get(measure.destination)
                if start is None or measure.valid_from < start:
                    self._starts[measure.destination] = measure.valid_from
            # Shorter codes than the tariff's lines ("610910" for "61091000") resolve through this.
            for length in range(2, len(measure.code)):
                self._under[measure.destination][measure.code[:length]].append(measure)
        self.measure_count = count
        self.agreements: dict[str, Agreement] = {a.code: a for a in agreements}
        self.origin_rules: dict[str, AgreementRules] = {
            a.code: parse_agreement_rules(a.code, a.origin_rules) for a in self.agreements.values() if a.origin_rules}
        self._originating: dict[str, frozenset[str]] = {}
        self._origin_memo: dict[tuple, Assessment] = {}
        self._restrictions: dict[str, list[Restriction]] = defaultdict(list)
        for restriction in restrictions:
            self._restrictions[restriction.destination].append(restriction)
        self.hs_codes = frozenset(hs_codes)
        self._national_prefixes = frozenset(
            code[:length] for lines in self._by_code.values() for code in lines for length in (6,) if len(code) >= 6)
        self.hs_correlation: Mapping[str, tuple[str, ...]] = hs_correlation or {}
        self._destinations: dict[str, DestinationRegime] = {r.code: r for r in destinations}
        # Customs territories whose national lines are coded in HS 2017 (the CN 2020 / UKGT 2021 file).
        self._hs2017_territories = frozenset(r.territory for r in self._destinations.values()
                                             if r.tariff_hs_edition == "HS2017")
        # Member states carry their union as their customs territory ("DE" -> "EU").
        self._member_of: dict[str, str] = {
            r.code: r.territory for r in self._destinations.values() if r.territory != r.code}
        self._lookup_cache: dict[tuple[str, str, date, str], Lookup] = {}
        self._agreement_pairs: dict[tuple[str, str], tuple[Agreement, ...]] = {}
        self._restriction_cache: dict[tuple[str, str, str], tuple[Restriction, ...]] = {}
        self._quotable: dict[str, str] = {}
        # The landed-cost engine keeps what it prepares per (fx table, destination, date, origin) and per line
        # code here, so that a new book (reloaded data) starts with no stale preparation. Bounded by the engine.
        self.engine_memo: dict = {}

    # -- destinations

    def destination(self, code: str) -> DestinationRegime | None:
        """The regime for an importing country; a member state's regime holds its union's customs rules
        (territory "EU") with its own VAT (see reference.read_destinations)."""
        return self._destinations.get(code)

    def destinations(self) -> list[DestinationRegime]:
        return list(self._destinations.values())

    def union_of(self, country: str) -> str | None:
        return self._member_of.get(country)

    def data_from(self, territory: str) -> date | None:
        """The first date the book holds an MFN measure for a customs territory."""
        return self._starts.get(territory)

    def originating_countries(self, agreement: Agreement) -> frozenset[str]:
        """The countries whose materials count as originating under an agreement: its parties (cumulation
        between them), a union's member states for the union."""
        found = self._originating.get(agreement.code)
        if found is None:
            parties = set(agreement.parties)
            found = self._originating[agreement.code] = frozenset(
                parties | {member for member, union in self._member_of.items() if union in parties})
        return found

    def assess_origin(self, agreement_code: str, hs_code: str, declaration: OriginDeclaration | None) -> Assessment:
        """Whether a product of `hs_code` qualifies as originating under the agreement, from the declaration
        (kept: a listing's declaration is quoted again and again)."""
        key = (agreement_code, hs_code, declaration)
        found = self._origin_memo.get(key)
        if found is None:
            if len(self._origin_memo) >= 20_000:
                self._origin_memo.clear()
            found = self._origin_memo[key] = assess(self.origin_rules.get(agreement_code), agreement_code, hs_code,
                                                    declaration, self.originating_countries(self.agreements[
                                                        agreement_code]))
        return found

    def origin_keys(self, origin: str) -> tuple[str, ...]:
        union = self._member_of.get(origin)
        return (origin, union) if union else (origin,)

    # -- agreements

    def agreements_between(self, territory: str, origin: str, on: date | None) -> list[Agreement]:
        """Agreements in force on a date (None: at any date) that have both the importing territory and the
        origin as parties."""
        pair = (territory, origin)
        common = self._agreement_pairs.get(pair)
        if common is None:
            keys = self.origin_keys(origin)
            common = self._agreement_pairs[pair] = tuple(
                a for a in self.agreements.values()
                if territory in a.parties and any(k in a.parties for k in keys) and territory not in keys)
        return [a for a in common if on is None or a.in_force(on)]

    # -- measures

    def measures_for(self, destination: str, code: str, on: date, origin: str | None = None) -> list[Measure]:
        """The measures in force on a date for a national code: the MFN (longest matching line), the
        preferences (for `origin`'s agreements, or all when origin is None) and additional duties."""
        lookup = self.lookup(destination, code, on, origin)
        return ([lookup.mfn] if lookup.mfn else []) + list(lookup.preferences) + list(lookup.additional)

    def lookup(self, destination: str, code: str, on: date, origin: str | None = None) -> Lookup:
        territory = self._member_of.get(destination, destination)
        code = normalise_code(code)
        key = (territory, code, on, origin or "")
        cached = self._lookup_cache.get(key)
        if cached is not None:
            return cached
        result = self._lookup(territory, code, on, origin)
        if len(self._lookup_cache) > 50_000:  # bounded: dates and codes vary without end
            self._lookup_cache.clear()
        self._lookup_cache[key] = result
        return result

    def _lookup(self, territory: str, code: str, on: date, origin: str | None) -> Lookup:
        origins = self.origin_keys(origin) if origin else None
        lines = self._by_code.get(territory, {})
        mfn: Measure | None = None
        matched: str | None = None
        preferences: dict[str, Measure] = {}
        additional: list[Measure] = []
        for length in range(len(code), -1, -1):
            for measure in lines.get(code[:length], ()):
                if not measure.in_force(on):
                    continue
                if measure.kind == "mfn":
                    if mfn is None:
                        mfn, matched = measure, code[:length]
                elif origins is not None and measure.origin is not None and measure.origin not in origins:
                    continue
                elif measure.kind == "preference":
                    preferences.setdefault(f"{measure.agreement}/{measure.origin}", measure)
                else:
                    additional.append(measure)
        note = ""
        if mfn is None:
            mfn, matched, note = self._mfn_fallback(territory, code, on)
            if mfn is not None and matched == code and origins is not None:  # a quote's lookup, for one origin
                found, spread = self._additional_under(territory, code, on, origins)
                if spread:
                    mfn, matched, note = None, None, (f"{code} covers tariff lines with different additional duties "
                                                      f"({spread}); give the full national code")
                additional.extend(found)
        if not preferences:
            for measure in self._uniform_under(territory, code, on, "preference", origins):
                preferences.setdefault(f"{measure.agreement}/{measure.origin}", measure)
        return Lookup(code, matched, mfn, tuple(preferences.values()), tuple(additional), note)

    def _uniform_under(self, territory: str, code: str, on: date, kind: str,
                       origins: tuple[str, ...] | None) -> list[Measure]:
        """Measures of every line under a short code, kept only where all those lines agree."""
        groups: dict[tuple[str | None, str | None], list[Measure]] = defaultdict(list)
        for measure in self._under.get(territory, {}).get(code, ()):
            if measure.kind != kind or not measure.in_force(on):
                continue
            if origins is not None and measure.origin is not None and measure.origin not in origins:
                continue
            groups[(measure.agreement, measure.origin)].append(measure)
        return [ms[0] for ms in groups.values() if len({m.expression_text for m in ms}) == 1]

    def _additional_under(self, territory: str, code: str, on: date,
                          origins: tuple[str, ...] | None) -> tuple[list[Measure], str]:
        """For a code shorter than the tariff's lines: the additional duties (by product, held on longer codes)
        that every line under it carries, and the titles of those that only some lines carry."""
        under = self._under.get(territory, {}).get(code, ())
        extra = [m for m in under if m.kind == "additional" and m.in_force(on)
                 and (origins is None or m.origin is None or m.origin in origins)]
        if not extra:
            return [], ""
        lines = {m.code for m in under if m.kind == "mfn" and m.in_force(on)}
        lines = {line for line in lines if not any(o != line and o.startswith(line) for o in lines)}
        groups: dict[tuple[str, str], list[Measure]] = defaultdict(list)
        for measure in extra:
            groups[(measure.title, measure.expression_text)].append(measure)
        found, partial = [], []
        for (title, _), measures in groups.items():
            if all(any(line.startswith(m.code) for m in measures) for line in lines):
                found.append(measures[0])
            else:
                partial.append(title)
        return found, ", ".join(sorted(partial))

    def _mfn_fallback(self, territory: str, code: str, on: date) -> tuple[Measure | None, str | None, str]:
        under = [m for m in self._under.get(territory, {}).get(code, ()) if m.kind == "mfn" and m.in_force(on)]
        if under:
            texts = sorted({m.expression_text for m in under})
            if len(texts) == 1:
                return under[0], code, (f"{code} is shorter than the tariff's lines: "
                                        f"{_every(len(under))} under it carries {texts[0]}")
            return None, None, (f"{code} covers {len(under)} tariff lines with different duties "
                                f"({', '.join(texts[:4])}{', ...' if len(texts) > 4 else ''}); "
                                "give the full national code")
        if territory in self._hs2017_territories and code[:6] in self.hs_correlation:
            return self._mfn_through_correlation(territory, code[:6], on)
        return None, None, f"no MFN rate held for {code} in {territory} on {on.isoformat()}"

    def _mfn_through_correlation(self, territory: str, code: str, on: date) -> tuple[Measure | None, str | None, str]:
        """An HS 2022 subheading with no line in an HS 2017 based tariff takes the duty of the HS 2017
        subheadings it correlates with, when every line under them carries the same duty; otherwise the
        candidates are named and the seller gives the national (HS 2017 based) code."""
        olds = self.hs_correlation[code]
        found = [m for old in olds for m in self._mfn_lines_of(territory, old, on)]
        texts = sorted({m.expression_text for m in found})
        table = "the WCO/UNSD HS 2022-HS 2017 correlation table"
        names = ", ".join(olds)
        if len(texts) == 1 and all(self._mfn_lines_of(territory, old, on) for old in olds):
            return found[0], code, (f"HS 2022 subheading {code} has no line in this tariff (HS 2017 based); read as "
                                      f"HS 2017 {names} per {table}, whose lines all carry {texts[0]}")
        if not texts:
            return None, None, (f"HS 2022 subheading {code} has no line in this tariff (HS 2017 based), nor do "
                                f"HS 2017 {names} it correlates with ({table})")
        return None, None, (f"HS 2022 subheading {code} has no line in this tariff (HS 2017 based); it correlates "
                            f"with HS 2017 {names} ({table}), whose lines carry different duties "
                            f"({', '.join(texts[:4])}{', ...' if len(texts) > 4 else ''}); give the national "
                            "(HS 2017 based) code")

    def _mfn_lines_of(self, territory: str, code: str, on: date) -> list[Measure]:
        """The MFN measures in force of every national line under a code, or of the longest line above it."""
        lines = self._by_code.get(territory, {})
        found = [m for m in (*lines.get(code, ()), *self._under.get(territory, {}).get(code, ()))
                 if m.kind == "mfn" and m.in_force(on)]
        if found:
            return found
        for length in range(len(code) - 1, -1, -1):
            above = [m for m in lines.get(code[:length], ()) if m.kind == "mfn" and m.in_force(on)]
            if above:
                return above[:1]
        return []

    # -- coverage

    def coverage(self, territory: str, on: date) -> Coverage:
        """How much of HS 2022 the book can rate for a customs territory on a date, subheading by subheading."""
        mfn = [m for lines in self._by_code.get(territory, {}).values() for m in lines
               if m.kind == "mfn" and m.in_force(on)]
        rated, ambiguous, without = [], [], []
        for code in sorted(c for c in self.hs_codes if len(c) == 6):
            lookup = self.lookup(territory, code, on)
            if lookup.mfn is not None:
                rated.append(code)
            elif "different duties" in lookup.note:
                ambiguous.append(code)
            else:
                without.append(code)
        return Coverage(territory, len(mfn), tuple(sorted({m.source for m in mfn})),
                        min((m.valid_from for m in mfn), default=None), tuple(rated), tuple(ambiguous), tuple(without))

    # -- restrictions and codes

    def restrictions_for(self, destination: str, code: str, origin: str | None = None) -> list[Restriction]:
        code = normalise_code(code)
        key = (destination, code, origin or "")
        cached = self._restriction_cache.get(key)
        if cached is None:
            if len(self._restriction_cache) > 50_000:
                self._restriction_cache.clear()
            cached = self._restriction_cache[key] = tuple(self._restrictions_for(destination, code, origin))
        return list(cached)

    def _restrictions_for(self, destination: str, code: str, origin: str | None) -> list[Restriction]:
        territory = self._member_of.get(destination, destination)
        found = []
        for place in (destination, territory) if territory != destination else (destination,):
            for restriction in self._restrictions.get(place, ()):
                if code.startswith(restriction.hs_prefix) and (
                        restriction.origin is None or origin is None or restriction.origin == origin):
                    found.append(restriction)
        return found

    def quotable_code(self, code: str) -> str | None:
        """The code normalised ("6109.10.00 10" -> "6109100010") when it has 6 to 10 digits and is known
        (`is_known_hs`), else None. Memoised: the landed-cost engine asks it for every line it quotes."""
        found = self._quotable.get(code)
        if found is None:
            normal = normalise_code(code)
            found = normal if 6 <= len(normal) <= 10 and normal.isdigit() and self.is_known_hs(normal) else ""
            if len(self._quotable) > 50_000:  # bounded: callers may send any text
                self._quotable.clear()
            self._quotable[code] = found
        return found or None

    def is_known_hs(self, code: str) -> bool:
        """A 6-10 digit code whose subheading is in HS 2022, in a destination's national tariff, or in the
        HS 2022 -> 2017 correlation table; shorter codes must be HS chapters or headings."""
        code = normalise_code(code)
        if not code.isdigit() or not 2 <= len(code) <= 10:
            return False
        if len(code) < 6:
            return code in self.hs_codes
        six = code[:6]
        return six in self.hs_codes or six in self._national_prefixes or six in self.hs_correlation



# ---------------------------------------------------------------- the one builder

@dataclass(frozen=True)
class BookRecords:
    """A tariff book as the database stores it and the data files give it (customs.reference.read_book_records):
    measure rows (the values of MEASURE_COLUMNS) and JSON documents (`as_json` of each dataclass)."""

    measures: Iterable[tuple]  # may be an iterator over stored rows: read once
    destinations: Iterable[Mapping[str, Any]]
    agreements: Iterable[Mapping[str, Any]]
    restrictions: Iterable[Mapping[str, Any]]
    hs_codes: Iterable[str]  # the HS 2022 chapters, headings and subheadings
    hs_correlation: Mapping[str, Iterable[str]]  # HS 2022 subheading -> HS 2017 subheadings


def build_tariff_book(records: BookRecords) -> TariffBook:
    """The book from its records: the app's (from its tables), the tests' and the benchmarks' (from the files)."""
    # Some hundred thousand rows repeat a few thousand texts (sources, duties, dates): one object each.
    same: dict = {}
    one = same.setdefault
    measures = [
        Measure(destination=one(m[0], m[0]), code=m[1], expression_text=one(m[2], m[2]), kind=one(m[3], m[3]),
                agreement=one(m[4], m[4]) or None, origin=one(m[5], m[5]) or None, valid_from=one(m[6], m[6]),
                valid_to=m[7] and one(m[7], m[7]), source=one(m[8], m[8]), title=one(m[9], m[9]))
        for m in records.measures
    ]
    return TariffBook(
        measures=measures,
        destinations=[DestinationRegime.from_json(d) for d in records.destinations],
        agreements=[Agreement.from_json(a) for a in records.agreements],
        restrictions=[Restriction.from_json(r) for r in records.restrictions],
        hs_codes=records.hs_codes,
        hs_correlation={code: tuple(olds) for code, olds in records.hs_correlation.items()},
    )
