"""Rules of origin: does a product qualify as originating under an agreement, from the seller's declaration?

Pure: no ORM, no I/O. The rules come from `customs/data/origin/origin-rules.json` (per agreement: its general
rule, product-specific rules by HS range, proof of origin), parsed by `parse_agreement_rules`; the declaration
is what the seller states for a listing (`OriginDeclaration`: its materials with HS code, origin and value,
the ex-works price, and whether the product is wholly obtained).

`assess(rules, hs_code, declaration, originating)` answers `met`, `not_met` or `cannot_tell`, with a reason per
criterion. A product is originating when it is wholly obtained, or produced exclusively from originating
materials (where the agreement's general rule says so), or when one alternative of its product-specific rule
holds (every criterion of that alternative). Where no product-specific rule is held for the code, or a
criterion cannot be checked from a declaration (a production process, a tolerance), the answer is
`cannot_tell`: the preference is left to manual assessment, never granted on a guess.

Criteria:
- `WO`       wholly obtained in a party (the seller's flag);
- `CTC`      every non-originating material has another chapter (CC), heading (CTH) or subheading (CTSH) than
             the product, and none is classified under an excepted range;
- `materials_originating`  no non-originating material is classified under the listed codes;
- `RVC`      regional value content at least `min` % of the ex-works price, build-down
             ((price - non-originating) / price) or build-up (originating / price);
- `MaxNOM`   non-originating materials at most `max` % of the ex-works price;
- `process`  a production process (e.g. "weaving combined with making-up"): cannot be told from materials.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

MET, NOT_MET, CANNOT_TELL = "met", "not_met", "cannot_tell"
LEVELS = {"chapter": 2, "heading": 4, "subheading": 6}
LEVEL_NAMES = {"chapter": "CC", "heading": "CTH", "subheading": "CTSH"}
HUNDRED = Decimal(100)
ZERO = Decimal(0)


class OriginRuleError(ValueError):
    """The rules file says something this module cannot read (raised when the book is built)."""


# ---------------------------------------------------------------- the seller's declaration

@dataclass(frozen=True, slots=True)
class Material:
    description: str
    hs_code: str  # 6 digits (a chapter or heading is accepted: CC/CTH can still be told)
    origin: str  # ISO2
    value: Decimal  # in the currency of the ex-works price


@dataclass(frozen=True, slots=True)
class OriginDeclaration:
    ex_works_price: Decimal  # a unit of the product, in the currency of the materials' values
    currency: str
    materials: tuple[Material, ...] = ()
    wholly_obtained: bool = False
    exporter_reference: str = ""  # REX number / approved exporter authorisation, named in the proof

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> OriginDeclaration:
        return cls(ex_works_price=Decimal(str(data["ex_works_price"])), currency=data["currency"],
                   materials=tuple(Material(description=m.get("description", ""), hs_code=str(m["hs_code"]),
                                            origin=m["origin"], value=Decimal(str(m["value"])))
                                   for m in data.get("materials", ())),
                   wholly_obtained=bool(data.get("wholly_obtained")),
                   exporter_reference=data.get("exporter_reference", ""))

    def as_json(self) -> dict[str, Any]:
        return {"ex_works_price": str(self.ex_works_price), "currency": self.currency,
                "wholly_obtained": self.wholly_obtained, "exporter_reference": self.exporter_reference,
                "materials": [{"description": m.description, "hs_code": m.hs_code, "origin": m.origin,
                               "value": str(m.value)} for m in self.materials]}


# ---------------------------------------------------------------- the rules

def _digits(code: str) -> str:
    return code.replace(".", "").strip()


@dataclass(frozen=True, slots=True)
class CodeRange:
    """HS codes from `low` to `high` inclusive, compared at their own length ("5106"-"5113", "540333"-"540339")."""
    low: str
    high: str

    @classmethod
    def parse(cls, text: str) -> CodeRange:
        low, _, high = text.partition("-")
        low, high = _digits(low), _digits(high or low)
        if not (low.isdigit() and high.isdigit() and len(low) == len(high) and len(low) in (2, 4, 6)
                and low <= high):
            raise OriginRuleError(f"bad HS range {text!r}")
        return cls(low, high)

    def holds(self, code: str) -> bool:
        code = _digits(code)
        if len(code) < len(self.low):
            return False
        return self.low <= code[:len(self.low)] <= self.high

    def __str__(self) -> str:
        return self.low if self.low == self.high else f"{self.low}-{self.high}"


@dataclass(frozen=True, slots=True)
class Criterion:
    kind: str  # WO | CTC | materials_originating | RVC | MaxNOM | process
    level: str = ""  # CTC: chapter | heading | subheading
    exceptions: tuple[CodeRange, ...] = ()  # CTC: not from these; materials_originating: these codes
    percent: Decimal = ZERO  # RVC: min; MaxNOM: max
    method: str = ""  # RVC: build_down | build_up
    text: str = ""  # process: the operation required

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Criterion:
        kind = data.get("type")
        if kind == "WO":
            return cls("WO")
        if kind == "CTC":
            if data.get("level") not in LEVELS:
                raise OriginRuleError(f"CTC level {data.get('level')!r}")
            return cls("CTC", level=data["level"],
                       exceptions=tuple(CodeRange.parse(e) for e in data.get("except", ())))
        if kind == "materials_originating":
            return cls(kind, exceptions=tuple(CodeRange.parse(e) for e in data["of"]))
        if kind == "RVC":
            if data.get("method") not in ("build_down", "build_up"):
                raise OriginRuleError(f"RVC method {data.get('method')!r}")
            return cls("RVC", percent=Decimal(str(data["min"])), method=data["method"])
        if kind == "MaxNOM":
            return cls("MaxNOM", percent=Decimal(str(data["max"])))
        if kind == "process":
            return cls("process", text=data["text"])
        raise OriginRuleError(f"unknown criterion {kind!r}")

    def label(self) -> str:
        if self.kind == "CTC":
            name = LEVEL_NAMES[self.level]
            return f"{name} except from {', '.join(map(str, self.exceptions))}" if self.exceptions else name
        if self.kind == "materials_originating":
            return f"materials of {', '.join(map(str, self.exceptions))} originating"
        if self.kind == "RVC":
            return f"RVC {self.percent}% ({self.method.replace('_', '-')})"
        if self.kind == "MaxNOM":
            return f"MaxNOM {self.percent}% of ex-works price"
        if self.kind == "process":
            return f"process: {self.text}"
        return "wholly obtained"


@dataclass(frozen=True, slots=True)
class ProductRule:
    """The product-specific rule of a range of codes: alternatives, each met when all its criteria are."""
    codes: tuple[CodeRange, ...]
    alternatives: tuple[tuple[Criterion, ...], ...]
    text: str  # the rule as the agreement words it
    source: str

    def covers(self, hs_code: str) -> int:
        """The length of the most specific range holding the code (0: none)."""
        return max((len(r.low) for r in self.codes if r.holds(hs_code)), default=0)


@dataclass(frozen=True, slots=True)
class Tolerance:
    """A tolerance (de minimis) for non-originating materials failing a CTC: never applied automatically;
    a product within it is left to manual assessment (`cannot_tell`) instead of refused."""
    percent: Decimal
    excluded_chapters: tuple[CodeRange, ...]
    article: str


@dataclass(frozen=True, slots=True)
class AgreementRules:
    agreement: str
    general_rule: str
    exclusively_originating: bool  # the general rule accepts goods produced exclusively from originating materials
    rules: tuple[ProductRule, ...]
    tolerance: Tolerance | None
    proof_kind: str  # "statement" (the exporter's text on the invoice) | "certificate" | "certification"
    proof_name: str
    proof_text: str  # the statement's wording, {exporter_reference} and {origin} filled in
    proof_fields: tuple[str, ...] = ()  # a certificate's fields checked on upload
    source: str = ""
    as_of: str = ""

    def rule_for(self, hs_code: str) -> ProductRule | None:
        best, length = None, 0
        for rule in self.rules:
            covered = rule.covers(hs_code)
            if covered > length:
                best, length = rule, covered
        return best

    def statement(self, *, exporter_reference: str, origin: str) -> str:
        return self.proof_text.format(exporter_reference=exporter_reference or "(no reference)", origin=origin)


def parse_agreement_rules(code: str, data: Mapping[str, Any]) -> AgreementRules:
    rules = []
    for row in data.get("product_rules", ()):
        alternatives = tuple(tuple(Criterion.from_json(c) for c in alternative) for alternative in row["alternatives"])
        if not alternatives or not all(alternatives):
            raise OriginRuleError(f"{code} {row.get('codes')}: a rule needs at least one criterion per alternative")
        rules.append(ProductRule(codes=tuple(CodeRange.parse(c) for c in row["codes"]), alternatives=alternatives,
                                 text=row["text"], source=row.get("source", data.get("source", ""))))
    tolerance = data.get("tolerance")
    proof = data["proof"]
    return AgreementRules(
        agreement=code, general_rule=data["general_rule"],
        exclusively_originating=bool(data.get("exclusively_originating")), rules=tuple(rules),
        tolerance=Tolerance(Decimal(str(tolerance["percent"])),
                            tuple(CodeRange.parse(c) for c in tolerance.get("excluded_chapters", ())),
                            tolerance["article"]) if tolerance else None,
        proof_kind=proof["kind"], proof_name=proof["name"], proof_text=proof.get("text", ""),
        proof_fields=tuple(proof.get("fields", ())), source=data.get("source", ""), as_of=data.get("as_of", ""))


# ---------------------------------------------------------------- the answer

@dataclass(frozen=True, slots=True)
class CriterionResult:
    criterion: str
    status: str
    reason: str


@dataclass(frozen=True, slots=True)
class Assessment:
    agreement: str
    status: str
    reason: str  # one sentence for the quote's explanation
    results: tuple[CriterionResult, ...] = field(default=())
    rule_text: str = ""
    source: str = ""

    @property
    def met(self) -> bool:
        return self.status == MET


def _worst(statuses: Iterable[str]) -> str:
    statuses = list(statuses)
    if NOT_MET in statuses:
        return NOT_MET
    if CANNOT_TELL in statuses:
        return CANNOT_TELL
    return MET


def _pct(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1'))}%"


def check(criterion: Criterion, hs_code: str, declaration: OriginDeclaration, non_originating: Sequence[Material],
          tolerance: Tolerance | None) -> CriterionResult:
    label = criterion.label()
    price = declaration.ex_works_price
    vnm = sum((m.value for m in non_originating), ZERO)
    if criterion.kind == "WO":
        if declaration.wholly_obtained:
            return CriterionResult(label, MET, "declared wholly obtained")
        return CriterionResult(label, NOT_MET, "not declared wholly obtained")
    if criterion.kind == "process":
        return CriterionResult(label, CANNOT_TELL, "a production process cannot be verified from a materials "
                                                   "declaration")
    if criterion.kind in ("CTC", "materials_originating"):
        product = _digits(hs_code)
        failing, unknown = [], []
        for m in non_originating:
            code = _digits(m.hs_code)
            if criterion.kind == "materials_originating":
                if len(code) < min(len(r.low) for r in criterion.exceptions):
                    unknown.append(m)
                elif any(r.holds(code) for r in criterion.exceptions):
                    failing.append((m, "a non-originating material of a listed code"))
                continue
            width = LEVELS[criterion.level]
            if len(code) < width:
                unknown.append(m)
                continue
            if code[:width] == product[:width]:
                failing.append((m, f"same {criterion.level} {code[:width]} as the product"))
            elif any(r.holds(code) for r in criterion.exceptions):
                failing.append((m, f"from an excepted code {code}"))
        if failing:
            value = sum((m.value for m, _ in failing), ZERO)
            first = "; ".join(f"{m.description or m.hs_code} ({m.hs_code}, {m.origin}): {why}" for m, why in failing)
            if tolerance and price > 0 and not any(r.holds(product) for r in tolerance.excluded_chapters) \
                    and value * HUNDRED <= tolerance.percent * price:
                return CriterionResult(label, CANNOT_TELL,
                                       f"{first}; within the {tolerance.percent}% tolerance of {tolerance.article}, "
                                       "which is assessed manually")
            return CriterionResult(label, NOT_MET, first)
        if unknown:
            return CriterionResult(label, CANNOT_TELL, "HS code too short to tell for "
                                   + ", ".join(m.description or m.hs_code for m in unknown))
        if not non_originating:
            return CriterionResult(label, MET, "no non-originating materials")
        return CriterionResult(label, MET, f"every non-originating material changes {criterion.level}"
                               if criterion.kind == "CTC" else "no non-originating material of the listed codes")
    if price <= 0:
        return CriterionResult(label, CANNOT_TELL, "no ex-works price declared")
    if criterion.kind == "RVC":
        if criterion.method == "build_down":
            rvc = (price - vnm) * HUNDRED / price
        else:  # the originating materials' value
            rvc = (sum((m.value for m in declaration.materials), ZERO) - vnm) * HUNDRED / price
        status = MET if rvc >= criterion.percent else NOT_MET
        return CriterionResult(label, status, f"RVC {_pct(rvc)} {'≥' if status == MET else '<'} {criterion.percent}%")
    if criterion.kind == "MaxNOM":
        share = vnm * HUNDRED / price
        status = MET if share <= criterion.percent else NOT_MET
        return CriterionResult(label, status, f"non-originating materials {_pct(share)} of the ex-works price "
                                              f"{'≤' if status == MET else '>'} {criterion.percent}%")
    raise OriginRuleError(criterion.kind)  # pragma: no cover - parse_agreement_rules admits no other kind


def assess(rules: AgreementRules | None, agreement: str, hs_code: str, declaration: OriginDeclaration | None,
           originating: frozenset[str]) -> Assessment:
    """Whether the product of `hs_code` is originating under `agreement`: `originating` are the countries
    whose materials count as originating (the agreement's parties, cumulation between them)."""
    if declaration is None:
        return Assessment(agreement, CANNOT_TELL, "the seller has declared no materials for the rule of origin")
    if declaration.wholly_obtained:
        return Assessment(agreement, MET, "wholly obtained in a party (the general rule of every agreement held)",
                          (CriterionResult("wholly obtained", MET, "declared wholly obtained"),))
    if rules is None:
        return Assessment(agreement, CANNOT_TELL, f"no rule of origin of {agreement} is held for the platform to "
                                                  "check: manual assessment")
    non_originating = tuple(m for m in declaration.materials if m.origin not in originating)
    if rules.exclusively_originating and declaration.materials and not non_originating:
        return Assessment(agreement, MET, "produced exclusively from originating materials (general rule)",
                          (CriterionResult("exclusively originating materials", MET,
                                           "every material declared comes from a party"),),
                          rules.general_rule, rules.source)
    rule = rules.rule_for(hs_code)
    if rule is None:
        return Assessment(agreement, CANNOT_TELL, f"no product-specific rule of {agreement} is held for "
                                                  f"{hs_code}: manual assessment", (), rules.general_rule,
                          rules.source)
    outcomes = []
    for alternative in rule.alternatives:
        results = tuple(check(c, hs_code, declaration, non_originating, rules.tolerance) for c in alternative)
        outcomes.append((_worst(r.status for r in results), results))
    for status in (MET, CANNOT_TELL, NOT_MET):
        for outcome, _results in outcomes:
            if outcome == status:
                all_results = tuple(r for _, rs in outcomes for r in rs)
                said = "; ".join(f"{r.criterion}: {r.status.replace('_', ' ')} ({r.reason})" for r in all_results)
                verdict = {MET: "rule of origin met", NOT_MET: "rule of origin not met",
                           CANNOT_TELL: "rule of origin cannot be told from the declaration: manual assessment"}[status]
                return Assessment(agreement, status, f"{verdict} — {said}", all_results, rule.text, rule.source)
    raise AssertionError("unreachable")  # pragma: no cover


# ---------------------------------------------------------------- reading a declaration

class OriginInputError(ValueError):
    def __init__(self, message: str, field: str, code: str = "invalid_origin_declaration") -> None:
        super().__init__(message)
        self.message, self.field, self.code = message, field, code


MAX_MATERIALS = 50
_LIMIT = Decimal("1e9")


def _amount(value: Any, field: str, *, positive: bool) -> Decimal:
    if isinstance(value, bool) or value is None or value == "":
        raise OriginInputError("Give an amount, e.g. \"12.50\".", field, "required" if value in (None, "") else
                               "invalid_amount")
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError as exc:
        raise OriginInputError("Give an amount, e.g. \"12.50\".", field, "invalid_amount") from exc
    if not number.is_finite() or number < 0 or number >= _LIMIT or (positive and number == 0):
        raise OriginInputError("Give an amount above 0 and under 1,000,000,000." if positive else
                               "Give an amount from 0 up to 999,999,999.", field, "invalid_amount")
    if number.as_tuple().exponent < -4:  # type: ignore[operator]
        raise OriginInputError("Give at most 4 decimal places.", field, "invalid_amount")
    return number


def read_declaration(data: Any, *, product_origin: str, currency: str, hs_codes: frozenset[str] | set[str],
                     countries: frozenset[str] | set[str], prefix: str = "") -> OriginDeclaration:
    """The seller's declaration checked field by field: HS codes that exist (chapter, heading or subheading),
    ISO countries, amounts not negative, the materials' values together at most the ex-works price, and no
    foreign material in a product declared wholly obtained. Raises OriginInputError at the first fault."""
    if not isinstance(data, Mapping):
        raise OriginInputError("The origin declaration is an object with ex_works_price and materials.",
                               prefix.rstrip(".") or "origin_declaration")
    price = _amount(data.get("ex_works_price"), f"{prefix}ex_works_price", positive=True)
    wholly = data.get("wholly_obtained", False)
    if not isinstance(wholly, bool):
        raise OriginInputError("wholly_obtained is true or false.", f"{prefix}wholly_obtained")
    reference = data.get("exporter_reference", "") or ""
    if not isinstance(reference, str) or len(reference) > 64 or "\x00" in reference:
        raise OriginInputError("Give the exporter's reference (REX number, approved exporter authorisation) in at "
                               "most 64 characters.", f"{prefix}exporter_reference")
    raw = data.get("materials", [])
    if not isinstance(raw, list) or len(raw) > MAX_MATERIALS:
        raise OriginInputError(f"materials is a list of at most {MAX_MATERIALS} materials.", f"{prefix}materials")
    materials = []
    for index, item in enumerate(raw):
        where = f"{prefix}materials[{index}]"
        if not isinstance(item, Mapping):
            raise OriginInputError("Each material has a description, hs_code, origin and value.", where)
        description = item.get("description", "") or ""
        if not isinstance(description, str) or len(description) > 200 or "\x00" in description:
            raise OriginInputError("Give a description of at most 200 characters.", f"{where}.description")
        code = item.get("hs_code")
        digits = _digits(code) if isinstance(code, str) else ""
        if not digits:
            raise OriginInputError("Give the material's HS code (chapter, heading or subheading).",
                                   f"{where}.hs_code", "required")
        if len(digits) > 6 and digits.isdigit():
            digits = digits[:6]
        if not digits.isdigit() or len(digits) not in (2, 4, 6) or digits not in hs_codes:
            raise OriginInputError(f"{code} is not an HS 2022 chapter, heading or subheading.", f"{where}.hs_code",
                                   "unknown_hs_code")
        origin = item.get("origin")
        if not isinstance(origin, str) or origin.strip().upper() not in countries:
            raise OriginInputError("Give the material's country of origin as a two-letter ISO 3166 code, e.g. MY.",
                                   f"{where}.origin", "invalid_country")
        value = _amount(item.get("value"), f"{where}.value", positive=False)
        materials.append(Material(description.strip(), digits, origin.strip().upper(), value))
    total = sum((m.value for m in materials), ZERO)
    if total > price:
        raise OriginInputError(f"The materials' values add up to {total}, more than the ex-works price {price} "
                               f"(over 100%).", f"{prefix}materials", "materials_over_price")
    if wholly and any(m.origin != product_origin for m in materials):
        raise OriginInputError(f"A wholly obtained product uses no material from outside {product_origin}.",
                               f"{prefix}wholly_obtained", "not_wholly_obtained")
    return OriginDeclaration(ex_works_price=price, currency=currency, materials=tuple(materials),
                             wholly_obtained=wholly, exporter_reference=reference.strip())
