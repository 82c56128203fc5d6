"""Customs reads: the tariff book (cached per process), HS search, quotes, clearance queues."""

from __future__ import annotations

import gc
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, F, Prefetch, Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from customs.domain.hs_index import HsEntry, HsIndex
from customs.domain.tariff_book import MEASURE_COLUMNS, BookRecords, Measure, TariffBook, build_tariff_book
from customs.models import ClearanceCase, DocumentRequest, Finding, HsCode, ReferenceDocument, TariffMeasure
from ewtp.cache import process_cache
from ewtp.money import Money


@process_cache()
def tariff_book() -> TariffBook:
    """Built once per process from the database (load_reference_data fills it, and clears the cache)."""
    book = build_tariff_book(tariff_book_records())
    # The book is some hundred thousand objects that live as long as the process. Frozen, the cyclic
    # collector stops walking them on each full collection: a 0.2 s pause of the worker, every few
    # thousand requests, that every request in flight waited out.
    gc.collect()
    gc.freeze()
    return book


def tariff_book_records() -> BookRecords:
    """The tariff book's records as `load_reference_data` stored them (see customs.reference.read_book_records)."""
    docs: dict[str, list[dict]] = {"destination": [], "agreement": [], "restriction": [], "hs_correlation": []}
    for kind, data in ReferenceDocument.objects.filter(kind__in=list(docs)).order_by("pk").values_list("kind", "data"):
        docs[kind].append(data)
    return BookRecords(
        # In the order stored (the files' order), the rows streamed rather than held beside the book.
        measures=TariffMeasure.objects.order_by("pk").values_list(*MEASURE_COLUMNS).iterator(chunk_size=5000),
        destinations=docs["destination"],
        agreements=docs["agreement"],
        restrictions=docs["restriction"],
        hs_codes=HsCode.objects.order_by().values_list("code", flat=True),
        hs_correlation={code: olds for doc in docs["hs_correlation"] for code, olds in doc["codes"].items()},
    )


def hs_code_exists(code: str) -> bool:
    """A 6-digit subheading of the nomenclature, or a national line (8-10 digits) under one."""
    return bool(code) and code.isdigit() and 6 <= len(code) <= 10 and tariff_book().is_known_hs(code)


@process_cache()
def hs_index() -> HsIndex:
    """The HS 2022 nomenclature with its Chinese names, built once per process (load_reference_data fills
    it, and clears the cache)."""
    names_zh = {key: data.get("zh", "") for key, data in
                ReferenceDocument.objects.filter(kind="hs_name_zh").values_list("key", "data")}
    return HsIndex(HsEntry(code, description, names_zh.get(code, ""), level)
                   for code, description, level in HsCode.objects.values_list("code", "description", "level"))


def hs_search(q: str, *, limit: int = 20) -> list[HsEntry]:
    """Codes by prefix ("6109", "0902.10") or by words in English ("green tea") or Chinese ("茶叶")."""
    return hs_index().search(q, limit=limit)


def hs_detail(*, code: str, destination: str | None = None, origin: str | None = None,
              on: date | None = None) -> dict:
    """What applies to one code: its place in the nomenclature and, for a destination, the MFN measure,
    the preferences (with the agreement's conditions), additional duties, restrictions and the VAT/GST
    rate, each with its source. Raises ApplicationError for an unknown code or destination."""
    from customs.domain.landed_cost import UnknownHsCode, UnsupportedDestination
    from customs.domain.tariff_book import normalise_code

    code = normalise_code(code or "")
    book = tariff_book()
    index = hs_index()
    known = code.isdigit() and (index.get(code) is not None or (6 <= len(code) <= 10 and book.is_known_hs(code)))
    if not known:
        raise UnknownHsCode(format_lazy(_("{code!r} is not a known HS code"), code=code), field="code")
    lineage = index.lineage(code)
    entry = index.get(code) or (lineage[-1] if lineage else None)
    answer: dict = {
        "code": code,
        "description": entry.description if entry else "",
        "description_zh": entry.description_zh if entry else "",
        "level": len(code),
        "lineage": [{"code": e.code, "description": e.description, "description_zh": e.description_zh}
                    for e in lineage],
        "source": "HS 2022 nomenclature, UN Comtrade (customs/data/hs/harmonized-system.csv); Chinese names: "
                  "customs/data/hs/hs-names-zh.csv (the project's own rendering)",
    }
    if not destination:
        return answer
    regime = book.destination(destination)
    if regime is None:
        raise UnsupportedDestination(f"no customs regime is configured for {destination!r}", field="destination")
    on = on or timezone.localdate()
    lookup = book.lookup(regime.territory, code, on, origin or None)
    agreements_open = {a.code for a in book.agreements_between(regime.territory, origin, on)} if origin else None

    def measure_json(measure: Measure) -> dict:
        expression = measure.expression
        reason = expression.manual_reason or (
            "needs manual assessment (agricultural component)" if expression.needs_manual_assessment else None)
        return {"expression": measure.expression_text, "code": measure.code, "valid_from": measure.valid_from,
                "valid_to": measure.valid_to, "manual_assessment": reason, "source": measure.source}

    preferences = []
    for measure in lookup.preferences:
        agreement = book.agreements.get(measure.agreement or "")
        in_force = agreement is not None and agreement.in_force(on)
        preferences.append({
            **measure_json(measure), "agreement": measure.agreement,
            "agreement_name": agreement.name if agreement else measure.agreement, "origin": measure.origin,
            "conditions": {
                "origin_is_party": None if agreements_open is None else measure.agreement in agreements_open,
                "agreement_in_force": in_force,
                "claim_required": True,
                "rule_of_origin": agreement.rule_of_origin if agreement else "",
                "origin_criteria": list(agreement.origin_criteria) if agreement else [],
                "proof_of_origin": agreement.proof_of_origin if agreement else "",
                "agreement_source": agreement.source if agreement else "",
                "product_specific_rule": _product_rule_json(book, measure.agreement or "", code),
            }})
    tax = regime.tax_rate(code, on) if regime.tax_name else None
    answer.update({
        "destination": regime.code,
        "customs_territory": regime.territory,
        "origin": origin or None,
        "date": on,
        "mfn": {**measure_json(lookup.mfn), "matched_code": lookup.matched_code} if lookup.mfn else None,
        "note": lookup.note,
        "preferences": preferences,
        "additional_duties": [{**measure_json(m), "title": m.title, "origin": m.origin} for m in lookup.additional],
        "restrictions": [{"hs_prefix": r.hs_prefix, "kind": r.kind, "wording": r.wording, "authority": r.authority,
                          "origin": r.origin, "source": r.source}
                         for r in book.restrictions_for(regime.code, code, origin or None)],
        "tax": {"name": regime.tax_name, "rate": format(tax[0].normalize(), "f"), "label": tax[1], "source": tax[2]}
        if tax else None,
        "currency": regime.currency,
        "valuation_basis": regime.valuation_basis,
    })
    return answer


def destination_currency(country: str) -> str:
    regime = tariff_book().destination(country)
    return regime.currency if regime else "USD"


HOLD_STATUSES = ("held", "awaiting_documents", "queried", "error")


def cases_held(*, destination: str = "", kind: str = "", seller: int | None = None, min_value_eur=None,
               max_value_eur=None, statuses=HOLD_STATUSES):
    """The officers' queue: escalated (past SLA) first, then the oldest hold first."""
    cases = ClearanceCase.objects.filter(status__in=statuses)
    if destination:
        cases = cases.filter(destination=destination.upper()[:2])
    if kind:
        cases = cases.filter(findings__kind=kind, findings__superseded_at__isnull=True).distinct()
    if seller:
        cases = cases.filter(company_id=seller)
    if min_value_eur is not None:
        cases = cases.filter(customs_value_eur__gte=min_value_eur)
    if max_value_eur is not None:
        cases = cases.filter(customs_value_eur__lte=max_value_eur)
    return cases.prefetch_related(
        Prefetch("findings", queryset=Finding.objects.filter(superseded_at__isnull=True), to_attr="active_findings")
    ).select_related("assigned_to").order_by(F("escalated_at").asc(nulls_last=True), F("held_at").asc(nulls_first=True),
                                             "id")


def hold_counts_by_reason() -> list[tuple[str, int]]:
    rows = (Finding.objects.filter(case__status__in=HOLD_STATUSES, superseded_at__isnull=True)
            .values("kind").annotate(cases=Count("case", distinct=True)).order_by("-cases", "kind"))
    return [(row["kind"], row["cases"]) for row in rows]


def clearance_dashboard() -> dict:
    """Cases per state, auto-release rate, median time to decision, holds past the SLA."""
    from django.conf import settings

    per_state = dict(ClearanceCase.objects.values_list("status").annotate(n=Count("id")).order_by())
    decided = ClearanceCase.objects.filter(decided_at__isnull=False, declared_at__isnull=False)
    auto = decided.filter(events__action="auto_released").distinct().count()
    total_decided = decided.count()
    durations = sorted((d - s).total_seconds() for s, d in decided.values_list("declared_at", "decided_at")[:5000])
    median = durations[len(durations) // 2] if durations else None
    sla = timedelta(hours=float(getattr(settings, "CLEARANCE_HOLD_SLA_HOURS", 24)))
    past_sla = ClearanceCase.objects.filter(status__in=HOLD_STATUSES[:3], held_at__lt=timezone.now() - sla).count()
    return {"per_state": per_state, "total": sum(per_state.values()), "decided": total_decided,
            "auto_release_rate": (auto / total_decided) if total_decided else None,
            "median_seconds_to_decision": median, "holds_past_sla": past_sla}


def cases_stuck(*, older_than: timedelta | None = None) -> list[int]:
    """Cases left between two automatic steps (a lost message, a crash), ready to re-drive."""
    from django.conf import settings

    older_than = older_than or timedelta(seconds=float(getattr(settings, "CLEARANCE_STUCK_AFTER_SECONDS", 120)))
    cutoff = timezone.now() - older_than
    stuck = Q(status__in=["pending", "declared", "screening", "assessed", "auto_released", "released"]) \
        | Q(status="submitted", mrn="")
    return list(ClearanceCase.objects.filter(stuck, updated_at__lt=cutoff).values_list("pk", flat=True)[:500])


def cases_awaiting_authority() -> tuple[list[int], list[int]]:
    """Lodged cases whose answer should have come: (ask again, given up on)."""
    from django.conf import settings

    now = timezone.now()
    delay = float(getattr(settings, "CUSTOMS_AUTHORITY_DELAY_SECONDS", 3.0))
    timeout = float(getattr(settings, "CUSTOMS_AUTHORITY_TIMEOUT_SECONDS", 6 * 3600))
    lodged = ClearanceCase.objects.filter(status="submitted").exclude(mrn="")
    overdue = list(lodged.filter(submitted_at__lt=now - timedelta(seconds=max(timeout, delay)))
                   .values_list("pk", flat=True)[:500])
    waiting = list(lodged.filter(submitted_at__lt=now - timedelta(seconds=delay + 1))
                   .exclude(pk__in=overdue).values_list("pk", flat=True)[:500])
    return waiting, overdue


def case_holding(reference: str) -> bool:
    """Whether customs holds the shipment for a person (an officer, the seller's documents, an
    authority query): for the carrier's "held by customs" tracking event."""
    return ClearanceCase.objects.filter(shipment_reference=reference, status__in=HOLD_STATUSES[:3]).exists()


# Customs has said its word on these: the goods may be delivered (or, rejected, never will be).
DECIDED_STATUSES = ("released", "cleared", "rejected")


def case_undecided(reference: str) -> bool:
    """Whether the shipment has a clearance case customs has not decided yet: until it has, no
    carrier event moves the parcel past customs and no escrow is released."""
    return ClearanceCase.objects.filter(shipment_reference=reference).exclude(status__in=DECIDED_STATUSES).exists()


def case_rejected(reference: str) -> bool:
    """Whether customs refused the shipment's goods (the buyer is refunded; nothing ships again)."""
    return ClearanceCase.objects.filter(shipment_reference=reference, status="rejected").exists()


def cases_cleared(references: list[str]) -> set[str]:
    """Which of these shipments customs released (trade finance advances more against them)."""
    return set(ClearanceCase.objects.filter(shipment_reference__in=references, status__in=("released", "cleared"))
               .values_list("shipment_reference", flat=True))


@dataclass(frozen=True)
class AuthorityAssessment:
    """What the authority decided on a released shipment, for settling its duties."""

    reference: str
    destination: str
    mrn: str
    assessed: Money | None  # None: it accepted what was declared paid
    answered_at: str


def case_authority_assessment(reference: str) -> AuthorityAssessment | None:
    """The authority's release of the shipment and the duties it assessed; None until it released it."""
    case = ClearanceCase.objects.filter(shipment_reference=reference, status__in=("released", "cleared")).first()
    if case is None or case.authority_answer.get("outcome") != "released":
        return None
    assessed = (case.authority_answer.get("details") or {}).get("assessed")
    money = Money(Decimal(str(assessed["amount"])), assessed["currency"]) if assessed else None
    return AuthorityAssessment(reference=reference, destination=case.destination, mrn=case.mrn, assessed=money,
                               answered_at=case.authority_answer.get("answered_at", ""))


def case_duties_due(reference: str) -> Money | None:
    """What the buyer owes at the door of a released DAP shipment: the authority's assessment, else what
    customs assessed at the `assessed` step; None before release or when neither is known."""
    found = case_authority_assessment(reference)
    if found is None:
        return None
    if found.assessed is not None:
        return found.assessed
    case = ClearanceCase.objects.filter(shipment_reference=reference).only("assessment").first()
    total = ((case.assessment or {}).get("quote") or {}).get("total_duties_and_taxes") if case else None
    return Money(Decimal(str(total["amount"])), total["currency"]) if total else None


def case_outcomes(*, company_id: int) -> tuple[int, int]:
    """How many of a seller's cases customs decided, and how many of those it rejected."""
    decided = ClearanceCase.objects.filter(company_id=company_id, status__in=DECIDED_STATUSES)
    return decided.count(), decided.filter(status="rejected").count()


def case_detail(*, case_id: int) -> ClearanceCase | None:
    return (ClearanceCase.objects.select_related("assigned_to", "rejection_proposed_by")
            .prefetch_related("findings", "events__actor", "documents", "document_requests").filter(pk=case_id).first())


def cases_for_company(*, company_id: int):
    return (ClearanceCase.objects.filter(company_id=company_id)
            .prefetch_related(Prefetch("findings", queryset=Finding.objects.filter(superseded_at__isnull=True),
                                       to_attr="active_findings"),
                              Prefetch("document_requests", queryset=DocumentRequest.objects.filter(
                                  answered_at__isnull=True), to_attr="open_requests"))
            .order_by("-created_at"))


SELLER_SUMMARIES = {
    "denied_party": "A party of the shipment needs a compliance check by customs.",
    "high_value": "The consignment's value asks for an officer's look.",
    "new_seller": "First shipments of a new seller get an officer's look.",
    "undervaluation": "The declared value looks low for these goods; an invoice helps.",
    "hs_mismatch": "The HS code and the description do not seem to match.",
    "preference_without_proof": "A preferential rate is granted: upload the proof of origin its trade agreement "
                                "names.",
    "duty_mismatch": "The duties collected differ from the customs assessment.",
    "incomplete_declaration": "The declaration is incomplete.",
    "not_assessed": "Customs could not assess the duties automatically.",
    "carrier_conflict": "The carrier reported a delivery step before customs released the goods.",
}


def finding_summary_for_seller(finding: Finding) -> str:
    """What a seller may read about a finding: never the screening list entry or score."""
    if finding.kind.startswith("restricted_goods"):
        return "The goods are restricted in the destination country; a licence may be needed."
    return SELLER_SUMMARIES.get(finding.kind, "Customs needs to review this shipment.")


# Tariffs change by law: a quote is for a date at most this far ahead, on the rates held today.
QUOTE_HORIZON = timedelta(days=366)


def landed_cost_quote(*, origin: str, destination: str, lines: list[dict], fx, currency: str | None = None,
                      incoterm: str = "DDP", shipping=None, insurance=None, on: date | None = None,
                      buyer_is_consumer: bool = False, consumer_year_to_date: Money | None = None):
    """Quote duty, taxes and fees with the cached tariff book (see customs/domain/landed_cost/)."""
    from customs.domain.landed_cost import QuoteLine, QuoteRequest, quote_landed_cost

    currency = currency or destination_currency(destination)
    today = timezone.localdate()
    request = QuoteRequest(
        origin=origin, destination=destination, on=on or today, incoterm=incoterm, currency=currency,
        latest=today + QUOTE_HORIZON, buyer_is_consumer=buyer_is_consumer, consumer_year_to_date=consumer_year_to_date,
        shipping=shipping or Money.zero(currency), insurance=insurance or Money.zero(currency),
        lines=[QuoteLine(hs_code=line["hs_code"], description=line.get("description", ""),
                         quantity=line["quantity"], unit_value=line["unit_value"],
                         net_weight_kg=Decimal(line["net_weight_kg"]), origin=line.get("origin") or origin,
                         claim_preference=line.get("claim_preference", False),
                         supplementary=line.get("supplementary") or {},
                         origin_declaration=as_origin_declaration(line.get("origin_declaration")))
               for line in lines],
    )
    return quote_landed_cost(tariff_book(), fx, request)


def quote_as_json(quote) -> dict:
    """The API's landed-cost answer (the contract of issue 4)."""
    money = Money.as_json
    return {
        "currency": quote.currency,
        "incoterm": quote.incoterm,
        "customs_value": money(quote.customs_value),
        "duty": money(quote.duty),
        "taxes": [{"name": t.name, "rate": format(t.rate.normalize(), "f"), "base": money(t.base),
                   "amount": money(t.amount), "collected": t.collected, "source": t.source} for t in quote.taxes],
        "fees": [{"code": f.code, "name": f.name, "amount": money(f.amount), "illustrative": f.illustrative,
                  "source": f.source} for f in quote.fees],
        "total_duties_and_taxes": money(quote.total_duties_and_taxes),
        "landed_cost": money(quote.landed_cost),
        "de_minimis": {"duty_applied": quote.de_minimis.duty_applied, "tax_applied": quote.de_minimis.tax_applied},
        "lines": [{"hs_code": line.hs_code, "description": line.description, "measure": line.measure,
                   "rule": line.rule, "duty": money(line.duty), "customs_value": money(line.customs_value),
                   "source": line.source, "reason": line.reason} for line in quote.lines],
        "needs_manual_assessment": quote.needs_manual_assessment,
        "restrictions": [{"hs_prefix": r.hs_prefix, "kind": r.kind, "wording": r.wording, "authority": r.authority}
                         for r in quote.restrictions],
        "explanation": list(quote.explanation),
    }


# --- declarations shared with the authorities (the EU's H7 data set) ---------------------------

EXPORT_MAX_DAYS = 92  # a bulk export covers at most a quarter: larger periods go in several files


def export_period(*, start, end) -> tuple[date, date]:
    """The period of a bulk export from its text ("2026-01-01"), both days included; ApplicationError
    at the field for a malformed date, a reversed period or one over EXPORT_MAX_DAYS."""
    from ewtp.exceptions import ApplicationError

    days = {}
    for field, value in (("from", start), ("to", end)):
        if not isinstance(value, str) or not value:
            raise ApplicationError(f"Give the period's '{field}' day as YYYY-MM-DD.", code="invalid_period",
                                   field=field)
        try:
            days[field] = date.fromisoformat(value) if len(value) == 10 else None
        except ValueError:
            days[field] = None
        if days[field] is None:
            raise ApplicationError(f"{value!r} is not a day as YYYY-MM-DD.", code="invalid_period", field=field)
    if days["to"] < days["from"]:
        raise ApplicationError("The period ends before it starts.", code="invalid_period", field="to")
    if (days["to"] - days["from"]).days + 1 > EXPORT_MAX_DAYS:
        raise ApplicationError(f"A period covers at most {EXPORT_MAX_DAYS} days.", code="period_too_long",
                               field="to")
    return days["from"], days["to"]


STANDARDS = ("h7", "wco")  # the declaration standards exported and lodged (customs/domain/declarations/)


def declaration_document(*, declaration: dict, lrn: str, declared_on: date | None, issued_at,
                         standard: str | None = None):
    """A stored declaration in a standard data set: (standard, document, violations), the document None
    when the stored JSON does not read (one violation says where). `standard` is "h7" (the EU's H7),
    "wco" (the WCO Data Model) or None to choose as the platform lodges: H7 for a consignment to an EU
    Member State within H7's EUR 150 (or whose value could not be converted, which H7's validation
    names), the WCO Data Model for every other destination and for EU consignments above EUR 150 (the
    full H1 data set is not built). The intrinsic value is converted to EUR at the rates of the day
    declared; the platform's IOSS number (settings.CUSTOMS_IOSS_NUMBER) goes on a DDP consignment to
    the EU, whose import VAT the buyer paid at checkout."""
    from django.conf import settings

    from customs.domain.declarations import h7, wco
    from ewtp.trade import Consignment, PayloadError

    try:
        consignment = Consignment.from_json(declaration)
    except PayloadError as error:
        return standard or "wco", None, [h7.Violation("declaration", error.field, str(error))]
    value = None
    if standard == "h7" or (standard is None and consignment.destination_country in h7.EU_MEMBER_STATES):
        value = _intrinsic_value_eur(consignment, on=declared_on)
    if standard is None:
        standard = ("h7" if consignment.destination_country in h7.EU_MEMBER_STATES
                    and (value is None or value <= h7.INTRINSIC_VALUE_CEILING_EUR) else "wco")
    if standard == "h7":
        ioss = settings.CUSTOMS_IOSS_NUMBER if consignment.incoterm == "DDP" else ""
        document = h7.build(consignment, lrn=lrn, intrinsic_value_eur=value, ioss_number=ioss)
        return "h7", document, h7.validate(document)
    document = wco.build(consignment, lrn=lrn, issued_at=issued_at)
    return "wco", document, wco.validate(document)


def _intrinsic_value_eur(consignment, *, on: date | None) -> Decimal | None:
    """The goods' value in EUR at the reference rates of `on`; None when it cannot be converted."""
    from ewtp.exceptions import ApplicationError
    from ewtp.fx import fx_table
    from ewtp.money import CurrencyMismatch

    try:
        return sum((c.total_value.amount if c.total_value.currency == "EUR"
                    else fx_table(on).convert(c.total_value, "EUR").amount for c in consignment.commodities),
                   Decimal(0)).quantize(Decimal("0.01"))
    except (ApplicationError, CurrencyMismatch):
        return None  # the validator names it: the ceiling cannot be checked


def case_declaration(*, case: ClearanceCase, standard: str):
    """The case's declaration in `standard` ("h7" or "wco") and its violations (empty: fit to lodge)."""
    _, document, violations = declaration_document(
        declaration=case.declaration, lrn=case.lrn or case.shipment_reference,
        declared_on=timezone.localdate(case.declared_at) if case.declared_at else None,
        issued_at=case.submitted_at or case.declared_at or case.created_at, standard=standard)
    return document, violations


def case_export(*, case: ClearanceCase, standard: str = "h7") -> dict:
    """One case's export: {"shipment_reference", "declaration"} when valid, else with "violations"."""
    declaration, violations = case_declaration(case=case, standard=standard)
    entry = {"case": case.pk, "shipment_reference": case.shipment_reference, "destination": case.destination}
    if violations:
        return entry | {"violations": [v.to_json() for v in violations]}
    return entry | {"declaration": declaration.to_json()}


def cases_export(*, start: date, end: date, standard: str = "h7") -> dict:
    """The declarations of the cases declared from `start` to `end` (UTC days, both included) in
    `standard`: the valid ones under "declarations", the others under "refused" with their violations."""
    cases = ClearanceCase.objects.filter(declared_at__date__gte=start, declared_at__date__lte=end).order_by(
        "declared_at", "pk")
    declarations, refused = [], []
    for case in cases.iterator(chunk_size=500):
        entry = case_export(case=case, standard=standard)
        (refused if "violations" in entry else declarations).append(entry)
    return {"dataset": standard.upper(), "from": start.isoformat(), "to": end.isoformat(),
            "declarations": declarations, "refused": refused}


def as_origin_declaration(value):
    """A line's origin declaration as the engine takes it: as read (OriginDeclaration), as stored (its JSON)
    or none."""
    from customs.domain.origin import OriginDeclaration

    if value is None or isinstance(value, OriginDeclaration):
        return value
    return OriginDeclaration.from_json(value)


def read_origin_declaration(data, *, product_origin: str, currency: str, prefix: str = ""):
    """The seller's materials declaration checked (customs.domain.origin.read_declaration) against the HS
    nomenclature the book holds and the ISO country list; ApplicationError at the field at fault."""
    from customs.domain.origin import OriginInputError, read_declaration
    from customs.reference import read_countries
    from ewtp.exceptions import ApplicationError

    try:
        return read_declaration(data, product_origin=product_origin, currency=currency,
                                hs_codes=tariff_book().hs_codes, countries=read_countries(), prefix=prefix)
    except OriginInputError as exc:
        raise ApplicationError(exc.message, code=exc.code, field=exc.field) from exc


def proof_of_origin_for(book: TariffBook, agreement_code: str) -> dict:
    """The proof of origin an agreement names: `statement` / `certification` made out by the exporter (its
    text generated, with the exporter's reference, on the commercial invoice), or a `certificate` issued by an
    authority (uploaded by the seller, its type and fields checked)."""
    agreement = book.agreements[agreement_code]
    rules = book.origin_rules.get(agreement_code)
    if rules is not None:
        return {"agreement": agreement_code, "kind": rules.proof_kind, "name": rules.proof_name,
                "template": rules.proof_text, "fields": list(rules.proof_fields)}
    issued = "certificate of origin" in agreement.proof_of_origin.lower() and "issued" in agreement.proof_of_origin
    if issued:
        return {"agreement": agreement_code, "kind": "certificate", "name": agreement.proof_of_origin,
                "template": "", "fields": ["number", "issued_on", "issuer"]}
    return {"agreement": agreement_code, "kind": "certification", "name": agreement.proof_of_origin,
            "template": f"The exporter (reference {{exporter_reference}}) certifies that the goods described in this "
                        f"invoice originate in {{origin}} under the {agreement.name} and meet its rules of origin.",
            "fields": []}


def granted_preferences(*, destination: str, lines: list[dict], currency: str, origin: str | None = None,
                        on: date | None = None, fx=None, shipping: Money | None = None) -> list[dict]:
    """The lines of a consignment whose claimed preference the landed-cost engine grants (its rule of origin
    met), each with the proof of origin its agreement names; nothing claimed or granted: []. `lines` as the
    declaration stores them (unit_value an amount in `currency`, origin_declaration as JSON)."""
    from ewtp.exceptions import ApplicationError
    from ewtp.fx import fx_table

    claimed = [index for index, line in enumerate(lines) if line.get("claim_preference")]
    if not claimed:
        return []
    quote_lines = [{"hs_code": line["hs_code"], "description": line.get("description", ""),
                    "quantity": int(line["quantity"]), "net_weight_kg": Decimal(str(line.get("net_weight_kg") or 0)),
                    "unit_value": Money(Decimal(str(line["unit_value"])), currency), "origin": line.get("origin"),
                    "claim_preference": bool(line.get("claim_preference")),
                    "origin_declaration": line.get("origin_declaration")} for line in lines]
    try:
        quote = landed_cost_quote(origin=origin or lines[0].get("origin"), destination=destination,
                                  lines=quote_lines, currency=currency, fx=fx or fx_table(on), on=on,
                                  shipping=shipping)
    except ApplicationError:
        return []
    book = tariff_book()
    granted = []
    for index in claimed:
        rule = quote.lines[index].rule
        if not rule.startswith("preference:"):
            continue
        code = rule.split(":", 1)[1]
        proof = proof_of_origin_for(book, code)
        declared = lines[index].get("origin_declaration") or {}
        reference = declared.get("exporter_reference", "")
        text = ""
        if proof["kind"] != "certificate" and reference:
            text = proof["template"].format(exporter_reference=reference, origin=lines[index].get("origin") or origin)
        # A statement on origin made out on the invoice is the proof; a certification or certificate is a
        # document the seller uploads (its type and fields checked), as is a statement without a reference.
        upload = proof["kind"] != "statement" or not text
        granted.append({"line": index, **proof, "exporter_reference": reference, "text": text, "upload": upload})
    return granted


def _product_rule_json(book: TariffBook, agreement: str, code: str) -> dict | None:
    """The product-specific rule the platform checks for a code under an agreement (None: none held, so a
    preference is granted automatically only to goods declared wholly obtained)."""
    rules = book.origin_rules.get(agreement)
    rule = rules.rule_for(code) if rules else None
    if rule is None:
        return None
    return {"text": rule.text, "alternatives": [[c.label() for c in alternative] for alternative in rule.alternatives],
            "source": rule.source}
