"""Screening and assessment of a declaration: the findings that hold a case for an officer.

The pure matching lives in customs/domain (screening.py: the denied-party index; risk.py: the
goods and price rules); this module feeds them the database: the loaded screening lists, the
tariff book, the seller's earlier declarations.

Thresholds are settings (read with defaults, so they can be tuned per deployment):

    SCREENING_THRESHOLD              denied-party score (0-100) that holds a case (88)
    CLEARANCE_HIGH_VALUE_EUR         consignments above this wait for an officer (1000)
    CLEARANCE_NEW_SELLER_REVIEW_EUR  a seller's first shipment above this is looked at (500)
    CLEARANCE_UNDERVALUE_RATIO       declared unit value below this share of the reference (0.5)
    CLEARANCE_UNDERVALUE_MIN_HISTORY earlier declarations needed for a usual price (3)
    CLEARANCE_DUTY_TOLERANCE_PERCENT assessed vs paid duties may differ by this share (5)
    CLEARANCE_DUTY_TOLERANCE_MIN_EUR ... or by this much, whichever is larger (2)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings

from customs.domain import risk
from customs.domain.screening import ListedParty, ScreeningIndex
from ewtp.cache import process_cache
from ewtp.exceptions import ApplicationError
from ewtp.fx import fx_table
from ewtp.money import Money


def setting(name: str, default):
    return getattr(settings, name, default)


@dataclass(frozen=True)
class FindingData:
    kind: str
    message: str
    evidence: dict = field(default_factory=dict)


def _lists_version() -> tuple:
    from customs.models import ScreeningList

    return tuple(ScreeningList.objects.order_by("name").values_list("name", "version"))


@process_cache(stamp=_lists_version, every=lambda: setting("SCREENING_LIST_RECHECK_SECONDS", 10))
def screening_index() -> ScreeningIndex:
    """The loaded denied-party lists (see `load_screening_lists`), indexed once per process and
    rebuilt when a newer list is loaded: a small query checks the versions, at most every
    SCREENING_LIST_RECHECK_SECONDS (the process that loads a list clears the cache and sees it at once)."""
    from customs.models import ScreeningEntry

    parties = [ListedParty(list_name=list_name, entry_id=e, name=n, aliases=tuple(a), party_type=t,
                           programs=tuple(p), countries=tuple(c), remarks=r)
               for list_name, e, n, a, t, p, c, r in ScreeningEntry.objects.values_list(
                   "screening_list__name", "entry_id", "name", "aliases", "party_type", "programs",
                   "countries", "remarks").order_by("id").iterator(chunk_size=5000)]
    return ScreeningIndex.build(parties)


def _goods_value(declaration: dict) -> Money:
    currency = declaration["currency"]
    return sum((Money(Decimal(str(line["unit_value"])), currency) * int(line["quantity"])
                for line in declaration.get("lines") or []), Money.zero(currency))


def _seller_history(company_id: int, exclude_case_id: int | None) -> tuple[int, dict[str, list[Decimal]]]:
    """How many earlier cases the seller has, and its earlier unit values in EUR per HS subheading."""
    from customs.models import ClearanceCase

    fx = fx_table()
    earlier = ClearanceCase.objects.filter(company_id=company_id)
    if exclude_case_id:
        earlier = earlier.exclude(pk=exclude_case_id)
    prices: dict[str, list[Decimal]] = {}
    count = 0
    for declaration in earlier.order_by("-id").values_list("declaration", flat=True)[:200]:
        count += 1
        currency = declaration.get("currency")
        for line in declaration.get("lines") or []:
            try:
                unit = fx.convert(Money(Decimal(str(line["unit_value"])), currency), "EUR").amount
            except (KeyError, ArithmeticError, ApplicationError, TypeError, ValueError):
                continue
            prices.setdefault(str(line.get("hs_code", ""))[:6], []).append(unit)
    return count, prices


def screen_declaration(declaration: dict, *, destination: str, company_id: int | None = None,
                       case_id: int | None = None) -> list[FindingData]:
    from customs.selectors import tariff_book

    findings: list[FindingData] = []
    findings += _denied_parties(declaration)
    book = tariff_book()
    origin = declaration.get("origin_country")
    lines = declaration.get("lines") or []
    for index, line in enumerate(lines):
        for restriction in book.restrictions_for(destination, line["hs_code"], line.get("origin") or origin):
            prohibited = restriction.kind == "prohibited"
            findings.append(FindingData(
                kind=f"restricted_goods:{restriction.kind}",
                message=f"Line {index + 1} ({line['description']}, HS {line['hs_code']}): "
                        f"{restriction.kind.replace('_', ' ')} in {destination} — {restriction.wording}"
                        + (" Proposed decision: reject." if prohibited else ""),
                evidence={"line": index, "hs_prefix": restriction.hs_prefix, "kind": restriction.kind,
                          "authority": restriction.authority, "source": restriction.source,
                          "proposal": "reject" if prohibited else "hold for licence"}))
        conflict = risk.hs_description_conflict(line.get("description", ""), line.get("hs_code", ""))
        if conflict:
            word, chapters = conflict
            findings.append(FindingData(
                kind="hs_mismatch",
                message=f"Line {index + 1}: '{line['description']}' is declared under HS {line['hs_code']} "
                        f"(chapter {line['hs_code'][:2]}), but '{word}' belongs in chapter(s) {', '.join(chapters)}.",
                evidence={"line": index, "word": word, "declared_chapter": line["hs_code"][:2],
                          "expected_chapters": list(chapters), "rule": "HS chapter keyword table"}))
    # A proof of origin is asked for only where a preference is granted (claimed, and its rule of origin met):
    # a claim whose rule is not met is charged MFN and needs none; a statement on origin on the invoice is one.
    claims = [i for i, line in enumerate(lines) if line.get("claim_preference")]
    granted = _granted(declaration, destination, lines) if claims else []
    to_upload = [g for g in granted if g["upload"]]
    if to_upload and not declaration.get("proof_of_origin"):
        findings.append(FindingData(
            kind="preference_without_proof",
            message=f"A tariff preference is granted on line(s) {', '.join(str(g['line'] + 1) for g in to_upload)} "
                    f"({', '.join(sorted({g['agreement'] for g in to_upload}))}) without a proof of origin: "
                    f"{'; '.join(sorted({g['name'] for g in to_upload}))}.",
            evidence={"lines": [g["line"] for g in to_upload], "agreements": sorted({g["agreement"] for g in to_upload}),
                      "proofs": [{k: g[k] for k in ("line", "agreement", "kind", "name", "fields")} for g in to_upload],
                      "rule": "a granted preference needs the proof of origin its agreement names"}))
    fx = fx_table()
    value_eur = fx.convert(_goods_value(declaration), "EUR").rounded().amount if lines else Decimal("0")
    high = Decimal(str(setting("CLEARANCE_HIGH_VALUE_EUR", "1000")))
    if value_eur > high:
        findings.append(FindingData(
            kind="high_value", message=f"Customs value {value_eur} EUR is above the {high} EUR review threshold.",
            evidence={"value_eur": str(value_eur), "threshold_eur": str(high)}))
    if company_id is not None:
        earlier_count, history = _seller_history(company_id, case_id)
        new_seller = Decimal(str(setting("CLEARANCE_NEW_SELLER_REVIEW_EUR", "500")))
        if earlier_count == 0 and value_eur > new_seller:
            findings.append(FindingData(
                kind="new_seller",
                message=f"First shipment of this seller, worth {value_eur} EUR (review above {new_seller} EUR).",
                evidence={"value_eur": str(value_eur), "threshold_eur": str(new_seller)}))
        findings += _undervaluation(declaration, history, fx)
    return findings


def _denied_parties(declaration: dict) -> list[FindingData]:
    findings = []
    threshold = float(setting("SCREENING_THRESHOLD", 88.0))
    index = screening_index()
    for role in ("consignor", "consignee"):
        party = declaration.get(role) or {}
        # The legal party is the company where there is one (the seller's staff are not parties).
        name = party.get("company") or party.get("name")
        if not name:
            continue
        for match in index.screen(name, party.get("country"), threshold=threshold, limit=3):
            findings.append(FindingData(
                kind="denied_party",
                message=f"The {role} '{name}' matches '{match.matched_name}' on {match.party.list_name} "
                        f"({', '.join(match.party.programs) or 'no programme'}), score {match.score:.0f}.",
                evidence={"role": role, "name": name, "list": match.party.list_name,
                          "entry_id": match.party.entry_id, "listed_name": match.party.name,
                          "matched_name": match.matched_name, "score": round(match.score, 1),
                          "threshold": threshold, "programs": list(match.party.programs),
                          "countries": list(match.party.countries), "reasons": list(match.reasons)}))
    return findings


def _undervaluation(declaration: dict, history: dict[str, list[Decimal]], fx) -> list[FindingData]:
    findings = []
    ratio = Decimal(str(setting("CLEARANCE_UNDERVALUE_RATIO", "0.5")))
    minimum = int(setting("CLEARANCE_UNDERVALUE_MIN_HISTORY", 3))
    currency = declaration["currency"]
    for index, line in enumerate(declaration.get("lines") or []):
        declared = fx.convert(Money(Decimal(str(line["unit_value"])), currency), "EUR").amount
        references = []
        if line.get("list_price"):
            references.append(("listing price", fx.convert(Money(Decimal(str(line["list_price"])), currency),
                                                           "EUR").amount, None))
        earlier = history.get(str(line["hs_code"])[:6], [])
        usual = risk.usual_price(earlier, minimum=minimum)
        if usual is not None:
            references.append(("seller's usual price for this HS code", usual, len(earlier)))
        for basis, reference, count in references:
            if risk.undervalued(declared, reference, ratio=ratio):
                findings.append(FindingData(
                    kind="undervaluation",
                    message=f"Line {index + 1}: declared {declared:.2f} EUR a unit, under {ratio:.0%} of the "
                            f"{basis} ({reference:.2f} EUR).",
                    evidence={"line": index, "declared_unit_eur": f"{declared:.2f}",
                              "reference_unit_eur": f"{reference:.2f}", "basis": basis, "ratio": str(ratio),
                              "earlier_declarations": count}))
                break
    return findings


def _granted(declaration: dict, destination: str, lines: list[dict]) -> list[dict]:
    from customs.selectors import granted_preferences

    shipping = declaration.get("shipping")
    return granted_preferences(destination=destination, lines=lines, currency=declaration["currency"],
                               origin=declaration.get("origin_country"),
                               shipping=Money(Decimal(shipping["amount"]), shipping["currency"]) if shipping else None)


def assess_declaration(declaration: dict, *, destination: str, on: date | None = None) -> tuple[dict, Decimal]:
    """Duty and taxes at the declaration date with the customs engine, the value in EUR, and
    what the buyer paid (DDP) or was told (DAP) beside it."""
    from customs.selectors import landed_cost_quote, quote_as_json

    currency = declaration["currency"]
    fx = fx_table(on)
    lines = [{"hs_code": line["hs_code"], "description": line["description"], "quantity": int(line["quantity"]),
              "unit_value": Money(Decimal(str(line["unit_value"])), currency),
              "net_weight_kg": Decimal(str(line["net_weight_kg"])), "origin": line["origin"],
              "claim_preference": bool(line.get("claim_preference")),
              "origin_declaration": line.get("origin_declaration")}
             for line in declaration["lines"]]
    value_eur = fx.convert(_goods_value(declaration), "EUR").rounded().amount
    shipping = declaration.get("shipping")
    try:
        quote = landed_cost_quote(origin=declaration.get("origin_country") or lines[0]["origin"],
                                  destination=destination, incoterm=declaration.get("incoterm", "DDP"),
                                  currency=currency,
                                  shipping=Money(Decimal(shipping["amount"]), shipping["currency"])
                                  if shipping else Money.zero(currency), lines=lines, fx=fx, on=on)
    except ApplicationError as exc:
        return {"summary": f"Could not assess: {exc.message}", "error": exc.code}, value_eur
    total = quote.total_duties_and_taxes
    assessment = {"summary": f"Duties and taxes assessed at {total}.", "quote": quote_as_json(quote),
                  "on": (on or date.today()).isoformat()}
    paid = declaration.get("paid_duties") if declaration.get("incoterm", "DDP") == "DDP" \
        else declaration.get("quoted_duties")
    if paid and paid.get("amount") not in (None, ""):
        paid_money = fx.convert(Money(Decimal(str(paid["amount"])), paid["currency"]), total.currency)
        difference = (total - paid_money).amount
        tolerance = max(abs(total.amount) * Decimal(str(setting("CLEARANCE_DUTY_TOLERANCE_PERCENT", "5"))) / 100,
                        fx.convert(Money(Decimal(str(setting("CLEARANCE_DUTY_TOLERANCE_MIN_EUR", "2"))), "EUR"),
                                   total.currency).amount)
        assessment["paid"] = {"amount": f"{paid_money.rounded().amount}", "currency": total.currency}
        assessment["difference"] = {"amount": f"{difference:.2f}", "currency": total.currency}
        assessment["tolerance"] = {"amount": f"{tolerance:.2f}", "currency": total.currency}
        assessment["mismatch"] = abs(difference) > tolerance
    return assessment, value_eur
