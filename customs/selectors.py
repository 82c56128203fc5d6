"""Customs reads: the tariff book (cached per process), HS search, quotes, clearance queues."""

from __future__ import annotations

import dataclasses
import threading
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from customs.domain.tariff_book import (
    Agreement,
    DestinationRegime,
    Measure,
    Restriction,
    TariffBook,
    parse_date,
)
from customs.models import ClearanceCase, HsCode, ReferenceDocument, TariffMeasure

_book_lock = threading.Lock()
_book: TariffBook | None = None


def reference_json(item) -> dict:
    """A reference dataclass as JSON: dates as ISO strings, tuples as lists."""
    if isinstance(item, DestinationRegime):
        return item.as_json()
    data = dataclasses.asdict(item)
    return {k: v.isoformat() if isinstance(v, date) else list(v) if isinstance(v, tuple) else v
            for k, v in data.items()}


def _agreement(data: dict) -> Agreement:
    return Agreement(**{**data, "parties": tuple(data["parties"]), "origin_criteria": tuple(data["origin_criteria"]),
                        "in_force_from": parse_date(data["in_force_from"]), "as_of": parse_date(data["as_of"])})


def _restriction(data: dict) -> Restriction:
    return Restriction(**{**data, "as_of": parse_date(data["as_of"])})


def tariff_book() -> TariffBook:
    """Built once per process from the database (load_reference_data fills it)."""
    global _book
    if _book is None:
        with _book_lock:
            if _book is None:
                _book = _build_book()
    return _book


def tariff_book_reset() -> None:
    global _book
    _book = None


def _build_book() -> TariffBook:
    measures = [
        Measure(destination=m[0], code=m[1], expression_text=m[2], kind=m[3], agreement=m[4] or None,
                origin=m[5] or None, valid_from=m[6], valid_to=m[7], source=m[8], title=m[9])
        for m in TariffMeasure.objects.values_list("destination", "code", "expression_text", "kind", "agreement",
                                                   "origin", "valid_from", "valid_to", "source", "title").iterator()
    ]
    docs: dict[str, list[dict]] = {"destination": [], "agreement": [], "restriction": []}
    for kind, data in ReferenceDocument.objects.values_list("kind", "data"):
        docs[kind].append(data)
    return TariffBook(
        measures=measures,
        destinations=[DestinationRegime.from_json(d) for d in docs["destination"]],
        agreements=[_agreement(d) for d in docs["agreement"]],
        restrictions=[_restriction(d) for d in docs["restriction"]],
        hs_codes=HsCode.objects.filter(level=6).values_list("code", flat=True),
    )


def hs_code_exists(code: str) -> bool:
    """A 6-digit subheading of the nomenclature, or a national line (8-10 digits) under one."""
    return bool(code) and code.isdigit() and 6 <= len(code) <= 10 and tariff_book().is_known_hs(code)


def hs_search(q: str, *, limit: int = 20) -> list[HsCode]:
    q = (q or "").strip()[:100]
    if not q:
        return []
    if q.replace(".", "").replace(" ", "").isdigit():
        digits = q.replace(".", "").replace(" ", "")
        return list(HsCode.objects.filter(code__startswith=digits).order_by("level", "code")[:limit])
    condition = Q()
    for word in q.split()[:6]:
        condition &= Q(description__icontains=word)
    return list(HsCode.objects.filter(condition).order_by("-level", "code")[:limit])


def destination_currency(country: str) -> str:
    regime = tariff_book().destination(country)
    return regime.currency if regime else "USD"


def cases_held(*, destination: str = "", kind: str = ""):
    cases = ClearanceCase.objects.filter(status=ClearanceCase.Status.HELD)
    if destination:
        cases = cases.filter(destination=destination)
    if kind:
        cases = cases.filter(findings__kind=kind).distinct()
    return cases.prefetch_related("findings").order_by("held_at", "id")


def cases_stuck(*, older_than: timedelta = timedelta(minutes=2)) -> list[int]:
    """Cases left between two steps (a lost message, a crash) or in error, ready to re-drive."""
    cutoff = timezone.now() - older_than
    return list(ClearanceCase.objects.filter(
        status__in=["pending", "declared", "screening", "assessed"], updated_at__lt=cutoff,
    ).values_list("pk", flat=True)[:500])


def case_for_shipment(reference: str) -> ClearanceCase | None:
    return ClearanceCase.objects.filter(shipment_reference=reference).first()


def value_in_eur(amount: Decimal, currency: str, fx) -> Decimal:
    from ewtp.money import Money

    return fx.convert(Money(amount, currency), "EUR").rounded().amount


def landed_cost_quote(*, origin: str, destination: str, lines: list[dict], fx, currency: str | None = None,
                      incoterm: str = "DDP", shipping=None, insurance=None, on: date | None = None):
    """Quote duty, taxes and fees with the cached tariff book (see customs/domain/landed_cost.py)."""
    from customs.domain.landed_cost import QuoteLine, QuoteRequest, quote_landed_cost
    from ewtp.money import Money

    currency = currency or destination_currency(destination)
    request = QuoteRequest(
        origin=origin, destination=destination, on=on or timezone.localdate(), incoterm=incoterm, currency=currency,
        shipping=shipping or Money.zero(currency), insurance=insurance or Money.zero(currency),
        lines=[QuoteLine(hs_code=line["hs_code"], description=line.get("description", ""),
                         quantity=line["quantity"], unit_value=line["unit_value"],
                         net_weight_kg=Decimal(line["net_weight_kg"]), origin=line.get("origin") or origin,
                         claim_preference=line.get("claim_preference", False),
                         supplementary=line.get("supplementary") or {}) for line in lines],
    )
    return quote_landed_cost(tariff_book(), fx, request)


def quote_as_json(quote) -> dict:
    """The API's landed-cost answer (the contract of issue 4)."""
    return {
        "currency": quote.currency,
        "incoterm": quote.incoterm,
        "customs_value": quote.customs_value.as_json(),
        "duty": quote.duty.as_json(),
        "taxes": [{"name": t.name, "rate": format(t.rate.normalize(), "f"), "base": t.base.as_json(),
                   "amount": t.amount.as_json(), "collected": t.collected, "source": t.source} for t in quote.taxes],
        "fees": [{"code": f.code, "name": f.name, "amount": f.amount.as_json(), "illustrative": f.illustrative,
                  "source": f.source} for f in quote.fees],
        "total_duties_and_taxes": quote.total_duties_and_taxes.as_json(),
        "landed_cost": quote.landed_cost.as_json(),
        "de_minimis": {"duty_applied": quote.de_minimis.duty_applied, "tax_applied": quote.de_minimis.tax_applied},
        "lines": [{"hs_code": line.hs_code, "description": line.description, "measure": line.measure,
                   "rule": line.rule, "duty": line.duty.as_json(), "customs_value": line.customs_value.as_json(),
                   "source": line.source, "reason": line.reason} for line in quote.lines],
        "needs_manual_assessment": quote.needs_manual_assessment,
        "restrictions": [{"hs_prefix": r.hs_prefix, "kind": r.kind, "wording": r.wording, "authority": r.authority}
                         for r in quote.restrictions],
        "explanation": list(quote.explanation),
    }
