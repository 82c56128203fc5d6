"""Screening and assessment of a declaration: the findings that hold a case for an officer.

The pure matching lives in customs/domain; this module feeds it the cached reference data.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings

from customs.domain.screening import ScreeningIndex
from customs.integrations.sanctions_lists import read_ofac_sdn_csv, read_un_consolidated_xml
from customs.reference import DATA_DIR
from ewtp.exceptions import ApplicationError
from ewtp.fx import fx_table
from ewtp.money import Money

_index_lock = threading.Lock()
_index: ScreeningIndex | None = None


@dataclass(frozen=True)
class FindingData:
    kind: str
    message: str
    evidence: dict = field(default_factory=dict)


def screening_index() -> ScreeningIndex:
    """The denied-party lists shipped under customs/data/screening, indexed once per process."""
    global _index
    if _index is None:
        with _index_lock:
            if _index is None:
                parties = [*read_ofac_sdn_csv(DATA_DIR / "screening" / "sdn.csv"),
                           *read_un_consolidated_xml(DATA_DIR / "screening" / "un-consolidated-sample.xml")]
                _index = ScreeningIndex.build(parties)
    return _index


def screen_declaration(declaration: dict, *, destination: str) -> list[FindingData]:
    from customs.selectors import tariff_book

    findings: list[FindingData] = []
    for role in ("consignor", "consignee"):
        party = declaration.get(role) or {}
        # The legal party is the company where there is one (the seller's staff are not parties).
        names = [party.get("company") or party.get("name")] if (party.get("company") or party.get("name")) else []
        for name in names:
            for match in screening_index().screen(name, party.get("country"), threshold=settings.SCREENING_THRESHOLD,
                                                  limit=3):
                findings.append(FindingData(
                    kind="denied_party",
                    message=f"The {role} '{name}' matches '{match.matched_name}' on {match.party.list_name} "
                            f"({', '.join(match.party.programs) or 'no programme'}), score {match.score:.0f}.",
                    evidence={"role": role, "name": name, "list": match.party.list_name,
                              "entry_id": match.party.entry_id, "listed_name": match.party.name,
                              "matched_name": match.matched_name, "score": round(match.score, 1),
                              "programs": list(match.party.programs), "reasons": list(match.reasons)}))
    book = tariff_book()
    origin = declaration.get("origin_country")
    for index, line in enumerate(declaration.get("lines") or []):
        for restriction in book.restrictions_for(destination, line["hs_code"], line.get("origin") or origin):
            findings.append(FindingData(
                kind=f"restricted_goods:{restriction.kind}",
                message=f"Line {index + 1} ({line['description']}, HS {line['hs_code']}): "
                        f"{restriction.kind.replace('_', ' ')} in {destination} — {restriction.wording}",
                evidence={"line": index, "hs_prefix": restriction.hs_prefix, "kind": restriction.kind,
                          "authority": restriction.authority, "source": restriction.source}))
    return findings


def assess_declaration(declaration: dict, *, destination: str, on: date | None = None) -> tuple[dict, Decimal]:
    """Duty and taxes at the declaration date with the customs engine; the value in EUR."""
    from customs.selectors import landed_cost_quote, quote_as_json

    currency = declaration["currency"]
    fx = fx_table()
    lines = [{"hs_code": line["hs_code"], "description": line["description"], "quantity": int(line["quantity"]),
              "unit_value": Money(Decimal(line["unit_value"]), currency),
              "net_weight_kg": Decimal(line["net_weight_kg"]), "origin": line["origin"]}
             for line in declaration["lines"]]
    goods = sum((line["unit_value"] * line["quantity"] for line in lines), Money.zero(currency))
    value_eur = fx.convert(goods, "EUR").rounded().amount
    try:
        quote = landed_cost_quote(origin=declaration.get("origin_country") or lines[0]["origin"],
                                  destination=destination, incoterm=declaration.get("incoterm", "DDP"),
                                  currency=currency, shipping=Money.zero(currency), lines=lines, fx=fx, on=on)
    except ApplicationError as exc:
        return {"summary": f"Could not assess: {exc.message}", "error": exc.code}, value_eur
    total = quote.total_duties_and_taxes
    return {"summary": f"Duties and taxes assessed at {total}.", "quote": quote_as_json(quote)}, value_eur
