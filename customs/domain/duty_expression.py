"""Duty expressions: read the text a tariff prints ("6.20% + 27.10 EUR / 100 kg MAX 17.90%") and
compute the duty it means for one line.

Pure: no I/O. The grammar covers every expression of the UK Global Tariff / EU CET file
(`customs/data/tariffs/uk-global-tariff-2021.csv`); tests/customs/domain/test_duty_expression.py
reads the whole file and asserts that none is left unread. The US forms of the HTSUS ("Free",
"37.5¢/kg + 2.2%", "$1.035/liter", "5¢/doz.", "2.5% on the case + ...") have their own grammar
below (`_parse_us`); tests/customs/national_tariffs/test_us_hts.py reads every text of the HTSUS file.

    expression := "Entry Price" | seasonal | formula
    seasonal   := formula "(" periods ")" ("," formula ["(" periods ")"])*
    formula    := terms ["MIN" terms] ["MAX" terms]        (MIN/MAX in either order)
    terms      := term ("+" term)*
    term       := percent | amount currency "/" unit | "EA" | "ADSZ" | "ADFM"

Lines that cannot be computed from value and quantities (entry price, seasonal rates, the EU
agricultural component) are parsed into their parts but evaluate to a `ManualAssessment` with the
reason, never to a guessed amount.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache

from ewtp.money import FxTable, Money

# Quantity keys a specific duty may need. Net weight ("kg") is always known; the others are
# supplementary units the seller declares per line.
QUANTITY_LABELS: dict[str, str] = {
    "kg": "kg net",
    "kg_gross": "kg gross",
    "kg_drained": "kg net drained weight",
    "kg_dry_matter": "kg net dry matter",
    "kg_standard_quality": "kg of standard quality",
    "kg_lactic_matter": "kg of lactic matter",
    "kg_dry_lactic_matter": "kg of dry lactic matter",
    "kg_total_alcohol": "kg of total alcohol",
    "sucrose_pct": "% sucrose content",
    "hl": "hectolitres",
    "l": "litres",
    "alcohol_pct_vol": "% alcohol by volume",
    "item": "items",
    "pair": "pairs",
    "m": "metres",
    "m2": "square metres",
    # US forms (HTSUS): units the seller declares per line when the rate is per that unit.
    "m3": "cubic metres",
    "l_proof": "proof litres (litres x % alcohol by volume x 2 / 100; derived from l and alcohol_pct_vol)",
    "kg_clean": "kg clean yield (wool)",
    "kg_total_sugars": "kg of total sugars",
    "kg_with_container": "kg of contents and immediate container",
    "jewel": "jewels (watch and clock movements)",
    "pin": "pins",
    "line_gross": "lines (button size) per gross",
    **{f"kg_{metal}_content": f"kg of {metal} content"
       for metal in ("lead", "copper", "tungsten", "molybdenum", "magnesium")},
}

AGRICULTURAL_COMPONENTS = {
    "EA": "agricultural component (EA): set by the Meursing table from the milk fat, milk protein, "
    "starch/glucose and sucrose content; needs the Meursing additional code",
    "ADSZ": "additional duty on sugar (AD S/Z): set by the sucrose content; needs the Meursing additional code",
    "ADFM": "additional duty on flour (AD F/M): set by the flour content; needs the Meursing additional code",
}

ENTRY_PRICE_REASON = (
    "entry price system: the duty depends on the consignment's entry price per 100 kg compared with the "
    "trigger prices of the day, which the customs value alone cannot show"
)

MONTHS = {m: i for i, m in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), start=1)}
DAYS_IN_MONTH = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}


class DutyExpressionError(ValueError):
    """The text is not a duty expression this grammar knows."""


@dataclass(frozen=True, slots=True)
class ManualAssessment:
    """A duty that cannot be computed from the quote's figures; `reason` says what is missing."""

    reason: str


@dataclass(frozen=True, slots=True)
class DutyComponent:
    kind: str  # "ad_valorem" | "specific" | "agricultural"
    rate: Decimal = Decimal(0)  # percent for ad valorem; amount per `per` units for specific
    currency: str | None = None
    per: Decimal = Decimal(1)  # 100 for "100 kg", 1000 for "tonne" or "1,000 items"
    quantities: tuple[str, ...] = ()  # multiplied together: ("hl", "alcohol_pct_vol") for "% vol/hl"
    code: str | None = None  # EA / ADSZ / ADFM


@dataclass(frozen=True, slots=True)
class Season:
    """A rate for part of the year; `periods` are ((month, day), (month, day)) inclusive ranges,
    empty for "the rest of the year"."""

    periods: tuple[tuple[tuple[int, int], tuple[int, int]], ...]
    expression: DutyExpression

    def covers(self, on: date) -> bool:
        month_day = (on.month, on.day)
        for start, end in self.periods:
            if start <= end and start <= month_day <= end:
                return True
            if start > end and (month_day >= start or month_day <= end):
                return True
        return False


@dataclass(frozen=True, slots=True)
class DutyExpression:
    text: str
    terms: tuple[DutyComponent, ...] = ()
    minimum: tuple[DutyComponent, ...] = ()
    maximum: tuple[DutyComponent, ...] = ()
    seasons: tuple[Season, ...] = ()
    manual_reason: str | None = None
    notes: tuple[str, ...] = ()
    # Fast path: the percent when the expression is one plain ad valorem rate, else None.
    ad_valorem_rate: Decimal | None = field(default=None, compare=False)

    @property
    def needs_manual_assessment(self) -> bool:
        return self.manual_reason is not None or bool(self.seasons) or any(
            c.kind == "agricultural" for c in (*self.terms, *self.minimum, *self.maximum))

    def season_on(self, on: date) -> Season | None:
        covered = [s for s in self.seasons if s.periods and s.covers(on)]
        if covered:
            return covered[0]
        rest = [s for s in self.seasons if not s.periods]
        return rest[0] if rest else None


# ---------------------------------------------------------------- parsing

_PERCENT = re.compile(r"^(\d[\d,]*(?:\.\d+)?)\s*%$")
_BARE_NUMBER = re.compile(r"^(\d+(?:\.\d+)?)$")
_SPECIFIC = re.compile(r"^(\d[\d,]*(?:\.\d+)?)\s*([A-Z]{3})\s*/\s*(.+)$")
_UNIT_HEAD = re.compile(r"^([\d,]*)\s*(kg|tonne|hl|l|items?|pa|pairs?|m2|m)\b\s*(.*)$")
_PERIOD_GROUP = re.compile(r"\(([^)]*)\)")
_PERIOD = re.compile(r"(\d{1,2})\s*([A-Z]*)\s*-\s*(\d{1,2})\s*([A-Z]+)")

# Qualifiers after the unit, as the EU prints them and as the UK abbreviates them
# ("eda" = égoutté, drained; "mas" = matière sèche, dry matter; "br" = brutto, gross).
_KG_QUALIFIERS: dict[str, str] = {
    "net": "kg",
    "gross": "kg_gross",
    "br": "kg_gross",
    "net drained wt": "kg_drained",
    "eda": "kg_drained",
    "net dry": "kg_dry_matter",
    "mas": "kg_dry_matter",
    "std qual": "kg_standard_quality",
    "lactic matter": "kg_lactic_matter",
    "dry lactic matter": "kg_dry_lactic_matter",
    "tot alc": "kg_total_alcohol",
}


def _normalise(text: str) -> str:
    text = text.replace("\xa0", " ").replace("€", " EUR")
    return re.sub(r"\s+", " ", text).strip()


def _decimal(number: str) -> Decimal:
    return Decimal(number.replace(",", ""))


def _parse_unit(unit_text: str) -> tuple[Decimal, tuple[str, ...]]:
    """'100 kg / net drained wt' -> (100, ('kg_drained',)); '% vol / hl' -> (1, ('alcohol_pct_vol', 'hl'))."""
    parts = [p.strip().rstrip(".").strip() for p in unit_text.lower().split("/")]
    parts = [p for p in parts if p]
    if not parts:
        raise DutyExpressionError(f"no unit in {unit_text!r}")
    quantities: list[str] = []
    head = parts[0]
    if head.replace(" ", "") == "%vol":  # "% vol / hl": per % alcohol per hectolitre
        quantities.append("alcohol_pct_vol")
        parts = parts[1:]
        if not parts:
            raise DutyExpressionError(f"'% vol' without a volume in {unit_text!r}")
        head = parts[0]
    match = _UNIT_HEAD.match(head)
    if not match:
        raise DutyExpressionError(f"unknown unit {unit_text!r}")
    per = _decimal(match.group(1)) if match.group(1) else Decimal(1)
    unit = match.group(2)
    qualifiers = [match.group(3).strip()] if match.group(3).strip() else []
    qualifiers += parts[1:]
    if unit == "tonne":
        unit, per = "kg", per * 1000
    unit = {"items": "item", "pa": "pair", "pairs": "pair"}.get(unit, unit)
    for qualifier in qualifiers:
        if qualifier.replace(" ", "") == "%sacchar":
            quantities.append("sucrose_pct")  # per 100 kg net per 1% of sucrose
        elif unit == "kg" and qualifier in _KG_QUALIFIERS:
            unit = _KG_QUALIFIERS[qualifier]
        else:
            raise DutyExpressionError(f"unknown unit qualifier {qualifier!r} in {unit_text!r}")
    quantities.insert(0, unit)
    return per, tuple(quantities)


def _parse_term(term: str, notes: list[str]) -> DutyComponent:
    term = term.strip()
    if term in AGRICULTURAL_COMPONENTS:
        return DutyComponent(kind="agricultural", code=term)
    if match := _PERCENT.match(term):
        return DutyComponent(kind="ad_valorem", rate=_decimal(match.group(1)))
    if match := _BARE_NUMBER.match(term):
        # The file prints a few rates without their "%" ("24 + 4.2 EUR/100 kg"); a bare number
        # beside a specific amount can only be the ad valorem part.
        notes.append(f"'{term}' read as {term}% (the source omits the % sign)")
        return DutyComponent(kind="ad_valorem", rate=_decimal(match.group(1)))
    if match := _SPECIFIC.match(term):
        per, quantities = _parse_unit(match.group(3))
        return DutyComponent(kind="specific", rate=_decimal(match.group(1)), currency=match.group(2),
                             per=per, quantities=quantities)
    raise DutyExpressionError(f"unknown duty term {term!r}")


def _parse_terms(text: str, notes: list[str]) -> tuple[DutyComponent, ...]:
    terms = [t for t in text.split("+")]
    if any(not t.strip() for t in terms):
        raise DutyExpressionError(f"empty term in {text!r}")
    return tuple(_parse_term(t, notes) for t in terms)


def _parse_formula(text: str) -> DutyExpression:
    notes: list[str] = []
    pieces = re.split(r"\b(MIN|MAX)\b", text)
    base = pieces[0].strip()
    if not base:
        raise DutyExpressionError(f"no duty before MIN/MAX in {text!r}")
    bounds: dict[str, tuple[DutyComponent, ...]] = {}
    for keyword, body in zip(pieces[1::2], pieces[2::2], strict=True):
        if keyword in bounds:
            raise DutyExpressionError(f"{keyword} twice in {text!r}")
        bounds[keyword] = _parse_terms(body, notes)
    terms = _parse_terms(base, notes)
    single_rate = terms[0].rate if (len(terms) == 1 and terms[0].kind == "ad_valorem" and not bounds) else None
    return DutyExpression(text=text, terms=terms, minimum=bounds.get("MIN", ()), maximum=bounds.get("MAX", ()),
                          notes=tuple(notes), ad_valorem_rate=single_rate)


def _parse_month_day(day: str, month: str, notes: list[str]) -> tuple[int, int]:
    month_number = MONTHS.get(month[:3])
    if month_number is None:
        raise DutyExpressionError(f"unknown month {month!r}")
    day_number = int(day)
    if not 1 <= day_number <= 31:
        raise DutyExpressionError(f"bad day {day!r}")
    if day_number > DAYS_IN_MONTH[month_number]:
        notes.append(f"'{day} {month}' read as the last day of the month")  # the file prints "31 APR"
        day_number = DAYS_IN_MONTH[month_number]
    return month_number, day_number


def _parse_periods(text: str, notes: list[str]) -> tuple[tuple[tuple[int, int], tuple[int, int]], ...]:
    periods = []
    for chunk in text.split(","):
        match = _PERIOD.fullmatch(chunk.strip())
        if not match:
            raise DutyExpressionError(f"unknown period {chunk!r}")
        start_day, start_month, end_day, end_month = match.groups()
        start = _parse_month_day(start_day, start_month or end_month, notes)  # "01-31 DEC"
        periods.append((start, _parse_month_day(end_day, end_month, notes)))
    return tuple(periods)


def _parse_seasonal(text: str) -> DutyExpression:
    notes: list[str] = []
    seasons: list[Season] = []
    position = 0
    for match in _PERIOD_GROUP.finditer(text):
        formula = text[position:match.start()].strip().lstrip(",").strip()
        seasons.append(Season(_parse_periods(match.group(1), notes), _parse_formula(formula)))
        position = match.end()
    rest = text[position:].strip().lstrip(",").strip()
    if rest:  # a last rate printed without its period applies for the rest of the year
        seasons.append(Season((), _parse_formula(rest)))
    reason = "seasonal duty: " + "; ".join(
        f"{s.expression.text} ({', '.join(_format_period(p) for p in s.periods) or 'rest of the year'})"
        for s in seasons
    ) + "; the rate depends on the date of import and seasonal fruit and vegetables may fall under the entry price system"
    return DutyExpression(text=text, seasons=tuple(seasons), manual_reason=reason, notes=tuple(notes))


def _format_period(period: tuple[tuple[int, int], tuple[int, int]]) -> str:
    names = {v: k for k, v in MONTHS.items()}
    (sm, sd), (em, ed) = period
    return f"{sd:02d} {names[sm]}-{ed:02d} {names[em]}"


# ---------------------------------------------------------------- US forms (HTSUS column 1 and special column)
#
#     us_expression := "Free" | us_terms | us_prose
#     us_terms      := us_term ("+" us_term)*
#     us_term       := "Free" | percent [value_part] | amount [unit_or_each] [qualifier]
#     amount        := number "¢" | "$" number            (cents or dollars, USD)
#     unit_or_each  := "/" us_unit | "each" | "/" us_unit "/" us_unit
#
# Rates "on the case", "on the battery", "on the value of the lead content" tax a part of the value the
# quote does not split out, and rates written in words ("The rate applicable to ...", "A duty upon the
# value of the repairs ...") need the article's other line: both are manual assessment with the reason.

US_CURRENCY = "USD"
US_BARREL_LITRES = Decimal("158.987294928")  # 42 US gallons of 3.785411784 l (exact by definition)

# us unit -> (per, quantity key)
_US_UNITS: dict[str, tuple[Decimal, str]] = {
    "kg": (Decimal(1), "kg"),
    "clean kg": (Decimal(1), "kg_clean"),
    "t": (Decimal(1000), "kg"),
    "liter": (Decimal(1), "l"),
    "pf.liter": (Decimal(1), "l_proof"),
    "pf. liter": (Decimal(1), "l_proof"),
    "bbl": (US_BARREL_LITRES, "l"),
    "doz.": (Decimal(12), "item"),
    "gross": (Decimal(144), "item"),
    "thousand": (Decimal(1000), "item"),
    "1000": (Decimal(1000), "item"),
    "head": (Decimal(1), "item"),
    "article": (Decimal(1), "item"),
    "no.": (Decimal(1), "item"),
    "pr.": (Decimal(1), "pair"),
    "m2": (Decimal(1), "m2"),
    "m3": (Decimal(1), "m3"),
    "jewel": (Decimal(1), "jewel"),
    "1,000 pins": (Decimal(1000), "pin"),
    "line/ gross": (Decimal(1), "line_gross"),
    "line/gross": (Decimal(1), "line_gross"),
}

# qualifier after "kg" -> quantity key
_US_KG_QUALIFIERS: dict[str, str] = {
    "on drained weight": "kg_drained",
    "of total sugars": "kg_total_sugars",
    "on contents and container": "kg_with_container",
    "on entire contents of container": "kg_with_container",
    **{f"on {metal} content": f"kg_{metal}_content"
       for metal in ("lead", "copper", "tungsten", "molybdenum", "magnesium")},
}

_US_AMOUNT = re.compile(r"^(\$)?(\d[\d,]*(?:\.\d+)?)\s*(¢)?\s*(.*)$")
_US_PERCENT_PART = re.compile(r"^(\d+(?:\.\d+)?)\s*%\s*(.+)$")

# Rates in words: (pattern, reason prefix). Anything else that is not a term is refused.
_US_PROSE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^The (duty )?rate (applicable|provided|of duty applicable)\b", re.I),
     "the rate is that of another article or provision"),
    (re.compile(r"^A duty (upon|equal|\(in lieu)", re.I), "the duty is on a value the quote does not hold"),
    (re.compile(r"^See (additional )?U\.S\. note \d+", re.I), "the rate is set in a U.S. note of the chapter"),
    (re.compile(r"^Free, (under|for such)\b", re.I), "free only under the conditions of the provision"),
    (re.compile(r"^\d+(\.\d+)? percent of the (fair retail value|cost of such goods)", re.I),
     "the duty is on a value the quote does not hold"),
    (re.compile(r"less .* for each degree", re.I),
     "the rate varies with the polarimeter degree of the sugar"),
    (re.compile(r"but if consisting in part of a plate", re.I),
     "the rate counts the jewels and pieces of the movement"),
)

_US_MARKERS = ("¢", "$")


def _looks_us(text: str) -> bool:
    return any(m in text for m in _US_MARKERS) or text.startswith("Free") or " each" in text


def _parse_us_term(term: str) -> DutyComponent | str:
    """A component, or the reason (a text) it cannot be computed from the quote's figures."""
    term = term.strip()
    if term == "Free":
        return DutyComponent(kind="ad_valorem", rate=Decimal(0))
    if match := _PERCENT.match(term):
        return DutyComponent(kind="ad_valorem", rate=_decimal(match.group(1)))
    if match := _US_PERCENT_PART.match(term):
        part = match.group(2).strip()
        if part.startswith("on "):
            return f"{match.group(1)}% {part}: the quote does not split the value into those parts"
        raise DutyExpressionError(f"unknown duty term {term!r}")
    match = _US_AMOUNT.match(term)
    if not match or bool(match.group(1)) == bool(match.group(3)):
        raise DutyExpressionError(f"unknown duty term {term!r}")
    rate = _decimal(match.group(2)) / (100 if match.group(3) else 1)
    rest = match.group(4).strip()
    if rest.startswith("each"):
        per, key, rest = Decimal(1), "item", rest.removeprefix("each").strip()
    elif rest.startswith("/"):
        unit = rest[1:].strip()
        found = None
        for name in sorted(_US_UNITS, key=len, reverse=True):
            if unit.lower() == name or unit.lower().startswith(name + " ") or unit.lower() == name.rstrip("."):
                found = name
                break
        if found is None:
            raise DutyExpressionError(f"unknown unit {unit!r} in {term!r}")
        per, key = _US_UNITS[found]
        rest = unit[len(found):].strip() if unit.lower().startswith(found) else ""
    else:
        raise DutyExpressionError(f"no unit in {term!r}")
    if rest:
        if key == "kg" and per == 1 and rest in _US_KG_QUALIFIERS:
            key = _US_KG_QUALIFIERS[rest]
        elif key == "l_proof" and rest == "on ethyl alcohol content":
            pass
        elif key == "item" and rest.startswith("on the "):  # "$1.53 each + 6% on the case": "each" is the movement
            return f"{term}: the quote does not split the value into those parts"
        elif key == "jewel" and rest.startswith("over "):
            return f"{term}: needs the count of jewels over the threshold"
        else:
            raise DutyExpressionError(f"unknown qualifier {rest!r} in {term!r}")
    return DutyComponent(kind="specific", rate=rate, currency=US_CURRENCY, per=per, quantities=(key,))


def _parse_us(text: str) -> DutyExpression:
    """A US rate text (see the grammar above); raises DutyExpressionError when it is none of its forms."""
    for pattern, reason in _US_PROSE:
        if pattern.search(text):
            return DutyExpression(text=text, manual_reason=f"{reason}: {text}")
    pieces = [p.strip() for p in text.split("+")]
    if any(not p for p in pieces):
        raise DutyExpressionError(f"empty term in {text!r}")
    terms: list[DutyComponent] = []
    reasons: list[str] = []
    for piece in pieces:
        parsed = _parse_us_term(piece)
        if isinstance(parsed, str):
            reasons.append(parsed)
        else:
            terms.append(parsed)
    if reasons:
        return DutyExpression(text=text, terms=tuple(terms), manual_reason="; ".join(reasons))
    single = terms[0].rate if len(terms) == 1 and terms[0].kind == "ad_valorem" else None
    return DutyExpression(text=text, terms=tuple(terms), ad_valorem_rate=single)


@lru_cache(maxsize=8192)
def parse_duty_expression(text: str) -> DutyExpression:
    """Parse a duty expression; raises DutyExpressionError if the text is not one.

    Cached: the tariff holds ~800 distinct texts across 25k measures."""
    normalised = _normalise(text)
    if not normalised:
        raise DutyExpressionError("empty duty expression")
    if normalised.lower() == "entry price":
        return DutyExpression(text=normalised, manual_reason=ENTRY_PRICE_REASON)
    if _looks_us(normalised):
        return _parse_us(normalised)
    try:
        if "(" in normalised:
            return _parse_seasonal(normalised)
        return _parse_formula(normalised)
    except DutyExpressionError:
        # "2.5% on the case + 5.3% on the battery", "The rate applicable to ...": US forms without ¢/$.
        try:
            return _parse_us(normalised)
        except DutyExpressionError:
            pass
        raise


# ---------------------------------------------------------------- evaluation

def _quantity(component: DutyComponent, quantities: Mapping[str, Decimal]) -> Decimal | ManualAssessment:
    product = Decimal(1)
    for key in component.quantities:
        value = quantities.get(key)
        if value is None and key == "hl" and "l" in quantities:
            value = quantities["l"] / 100
        if value is None and key == "l_proof" and "l" in quantities and "alcohol_pct_vol" in quantities:
            value = quantities["l"] * quantities["alcohol_pct_vol"] * 2 / 100  # US proof = 2 x % vol
        if value is None:
            return ManualAssessment(f"needs {key} ({QUANTITY_LABELS.get(key, key)})")
        product *= value
    return product / component.per


def _sum(components: tuple[DutyComponent, ...], value: Decimal, currency: str, quantities: Mapping[str, Decimal],
         fx: FxTable) -> Decimal | ManualAssessment:
    total = Decimal(0)
    for component in components:
        if component.kind == "ad_valorem":
            total += value * component.rate / 100
        elif component.kind == "specific":
            quantity = _quantity(component, quantities)
            if isinstance(quantity, ManualAssessment):
                return quantity
            amount = component.rate * quantity
            if component.currency != currency:
                amount *= fx.rate(component.currency, currency).rate
            total += amount
        else:
            return ManualAssessment(AGRICULTURAL_COMPONENTS[component.code or ""])
    return total


def evaluate(expr: DutyExpression, *, customs_value: Money, quantities: Mapping[str, Decimal],
             fx: FxTable) -> Money | ManualAssessment:
    """The duty in the customs value's currency, at full precision (round at the edge).

    Specific amounts are converted from the expression's currency with `fx`; a missing
    supplementary quantity gives ManualAssessment("needs <unit> ...")."""
    result = evaluate_amount(expr, customs_value.amount, customs_value.currency, quantities, fx)
    return result if isinstance(result, ManualAssessment) else Money(result, customs_value.currency)


def evaluate_amount(expr: DutyExpression, value: Decimal, currency: str, quantities: Mapping[str, Decimal],
                    fx: FxTable) -> Decimal | ManualAssessment:
    """`evaluate` on a bare amount: the engine's hot path, without building Money objects."""
    if expr.ad_valorem_rate is not None:
        return value * expr.ad_valorem_rate / 100
    if expr.manual_reason is not None:
        return ManualAssessment(expr.manual_reason)
    duty = _sum(expr.terms, value, currency, quantities, fx)
    if isinstance(duty, ManualAssessment):
        return duty
    if expr.minimum:
        floor = _sum(expr.minimum, value, currency, quantities, fx)
        if isinstance(floor, ManualAssessment):
            return floor
        duty = max(duty, floor)
    if expr.maximum:
        ceiling = _sum(expr.maximum, value, currency, quantities, fx)
        if isinstance(ceiling, ManualAssessment):
            return ceiling
        duty = min(duty, ceiling)
    return duty
