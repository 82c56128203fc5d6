"""Clearance: one case per shipment, moved one step at a time by `clearance_advance`.

Every step locks the case, checks the transition table, writes its result and an event, and
enqueues the next step after commit. A step that finds the case already past it does nothing,
so running a task twice (a redelivery after a worker died) is harmless.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from customs.domain.states import CLEARANCE
from customs.models import ClearanceCase, ClearanceEvent, Finding
from customs.signals import clearance_decided, clearance_held
from ewtp.exceptions import ApplicationError, NotFound, PermissionDenied
from ewtp.money import Money

REQUIRED_DECLARATION_FIELDS = ("consignor", "consignee", "incoterm", "lines", "currency")
REQUIRED_LINE_FIELDS = ("description", "hs_code", "quantity", "unit_value", "origin", "net_weight_kg")


def _transition(case: ClearanceCase, target: str, *, action: str, actor=None, note: str = "") -> None:
    CLEARANCE.check(case.status, target)
    ClearanceEvent.objects.create(case=case, action=action, from_status=case.status, to_status=target,
                                  actor=actor, note=note[:1000])
    case.status = target
    case.save(update_fields=["status", "updated_at", "held_at", "decided_at", "last_error", "declaration",
                             "assessment", "customs_value_eur", "assigned_to"])


def _enqueue_advance(case_id: int) -> None:
    from customs.tasks import clearance_advance

    transaction.on_commit(lambda: clearance_advance.delay(case_id))


def case_open(*, shipment_reference: str, company_id: int, buyer_id: int, destination: str,
              declaration: dict) -> ClearanceCase:
    """Open the case for a booked shipment (once) and start the pipeline."""
    with transaction.atomic():
        case, created = ClearanceCase.objects.get_or_create(
            shipment_reference=shipment_reference,
            defaults={"company_id": company_id, "buyer_id": buyer_id, "destination": destination,
                      "declaration": declaration},
        )
        if created:
            ClearanceEvent.objects.create(case=case, action="opened", to_status=case.status,
                                          note="Declaration received from the booked shipment.")
            _enqueue_advance(case.pk)
    return case


def case_advance(*, case_id: int) -> str:
    """Run the next step of the pipeline. Returns the status the case is left in."""
    with transaction.atomic():
        case = ClearanceCase.objects.select_for_update().filter(pk=case_id).first()
        if case is None:
            return "missing"
        step = {"pending": _declare, "declared": _screen, "screening": _assess, "assessed": _decide}.get(case.status)
        if step is None:
            return case.status  # decided or waiting for an officer: nothing to do
        step(case)
        if case.status in ("declared", "screening", "assessed"):
            _enqueue_advance(case.pk)
        return case.status


def case_fail(*, case_id: int, error: str) -> None:
    """A step failed for good: the case shows the error instead of failing silently."""
    with transaction.atomic():
        case = ClearanceCase.objects.select_for_update().get(pk=case_id)
        if CLEARANCE.can(case.status, "error"):
            case.last_error = error[:500]
            _transition(case, "error", action="step_failed", note=error)


def _declare(case: ClearanceCase) -> None:
    declaration = case.declaration
    missing = [f for f in REQUIRED_DECLARATION_FIELDS if not declaration.get(f)]
    for index, line in enumerate(declaration.get("lines") or []):
        missing += [f"lines[{index}].{f}" for f in REQUIRED_LINE_FIELDS if line.get(f) in (None, "")]
    if missing:
        Finding.objects.create(case=case, kind="incomplete_declaration",
                               message="The declaration lacks: " + ", ".join(missing), evidence={"missing": missing})
    _transition(case, "declared", action="declared",
                note="Declaration complete." if not missing else f"Incomplete: {', '.join(missing)}")


def _screen(case: ClearanceCase) -> None:
    from customs.screening import screen_declaration

    _transition(case, "screening", action="screening_started")
    case.findings.exclude(kind="incomplete_declaration").delete()  # a re-screen starts afresh
    findings = screen_declaration(case.declaration, destination=case.destination)
    Finding.objects.bulk_create(Finding(case=case, kind=f.kind, message=f.message, evidence=f.evidence)
                                for f in findings)
    ClearanceEvent.objects.create(case=case, action="screened", from_status="screening", to_status="screening",
                                  note=f"{len(findings)} finding(s).")


def _assess(case: ClearanceCase) -> None:
    from customs.screening import assess_declaration

    assessment, value_eur = assess_declaration(case.declaration, destination=case.destination)
    case.assessment = assessment
    case.customs_value_eur = value_eur
    threshold = Decimal(settings.CLEARANCE_HIGH_VALUE_EUR)
    if value_eur > threshold:
        Finding.objects.create(case=case, kind="high_value",
                               message=f"Customs value {value_eur} EUR is above the {threshold} EUR review threshold.",
                               evidence={"value_eur": str(value_eur), "threshold_eur": str(threshold)})
    _transition(case, "assessed", action="assessed", note=assessment.get("summary", ""))


def _decide(case: ClearanceCase) -> None:
    if case.findings.exists():
        case.held_at = timezone.now()
        _transition(case, "held", action="held",
                    note="; ".join(case.findings.values_list("message", flat=True))[:1000])
        clearance_held.send(sender=ClearanceCase, case=case)
    else:
        case.decided_at = timezone.now()
        _transition(case, "auto_released", action="auto_released", note="No findings.")
        clearance_decided.send(sender=ClearanceCase, case=case, released=True, reason="No findings.")


def _check_officer(user) -> None:
    if not (user and user.is_authenticated and user.has_perm("customs.decide_clearancecase")):
        raise PermissionDenied("Only customs officers may decide clearance cases.")


def case_release(*, case_id: int, officer, note: str = "") -> ClearanceCase:
    _check_officer(officer)
    with transaction.atomic():
        case = ClearanceCase.objects.select_for_update().filter(pk=case_id).first()
        if case is None:
            raise NotFound("No such clearance case.")
        if case.status == "released":
            return case  # a double click releases once
        case.decided_at = timezone.now()
        _transition(case, "released", action="released", actor=officer, note=note or "Released by officer.")
        clearance_decided.send(sender=ClearanceCase, case=case, released=True, reason=note)
    return case


def case_reject(*, case_id: int, officer, reason: str) -> ClearanceCase:
    _check_officer(officer)
    if not reason or not reason.strip():
        raise ApplicationError("Say why the shipment is rejected.", code="reason_required", field="reason")
    with transaction.atomic():
        case = ClearanceCase.objects.select_for_update().filter(pk=case_id).first()
        if case is None:
            raise NotFound("No such clearance case.")
        if case.status == "rejected":
            return case
        case.decided_at = timezone.now()
        _transition(case, "rejected", action="rejected", actor=officer, note=reason.strip())
        clearance_decided.send(sender=ClearanceCase, case=case, released=False, reason=reason.strip())
    return case


def declared_value(declaration: dict) -> Money:
    currency = declaration["currency"]
    total = Money.zero(currency)
    for line in declaration["lines"]:
        total += Money(Decimal(line["unit_value"]), currency) * int(line["quantity"])
    return total


# --- reference data -------------------------------------------------------------------------

def reference_datasets():
    """(name, files, loader) for load_reference_data."""
    from customs import reference

    data = reference.DATA_DIR
    return [
        ("customs.hs", sorted((data / "hs").glob("*.csv")), hs_nomenclature_store),
        ("customs.tariff_book", [*sorted((data / "tariffs").iterdir()), *sorted((data / "regimes").iterdir()),
                                 *sorted((data / "agreements").iterdir()), *sorted((data / "restrictions").iterdir())],
         tariff_book_store),
    ]


def hs_nomenclature_store() -> str:
    from customs import reference
    from customs.models import HsCode

    entries = reference.read_hs_nomenclature()
    HsCode.objects.all().delete()
    HsCode.objects.bulk_create(
        (HsCode(code=e.code, description=e.description, level=len(e.code), parent_code=e.parent or "",
                section=e.section) for e in entries), batch_size=2000)
    by_level = {n: sum(1 for e in entries if len(e.code) == n) for n in (2, 4, 6)}
    return f"{by_level[2]} chapters, {by_level[4]} headings, {by_level[6]} subheadings (HS 2022)"


def tariff_book_store() -> str:
    from customs import reference
    from customs.models import ReferenceDocument, TariffMeasure
    from customs.selectors import reference_json, tariff_book_reset

    measures = [
        *reference.read_tariff_measures(), *reference.read_other_mfn_measures(),
        *reference.read_preferential_measures(), *reference.read_additional_measures(),
    ]
    TariffMeasure.objects.all().delete()
    TariffMeasure.objects.bulk_create(
        (TariffMeasure(destination=m.destination, code=m.code, expression_text=m.expression_text, kind=m.kind,
                       agreement=m.agreement or "", origin=m.origin or "", valid_from=m.valid_from,
                       valid_to=m.valid_to, source=m.source, title=m.title) for m in measures), batch_size=5000)
    ReferenceDocument.objects.all().delete()
    destinations = reference.read_destinations()
    agreements = reference.read_agreements()
    restrictions = reference.read_restrictions()
    ReferenceDocument.objects.bulk_create(
        [ReferenceDocument(kind="destination", key=d.code, data=reference_json(d)) for d in destinations]
        + [ReferenceDocument(kind="agreement", key=a.code, data=reference_json(a)) for a in agreements]
        + [ReferenceDocument(kind="restriction", key=f"{r.destination}:{r.hs_prefix}:{i}", data=reference_json(r))
           for i, r in enumerate(restrictions)])
    tariff_book_reset()
    manual = sum(1 for m in measures if m.expression.needs_manual_assessment)
    return (f"{len(measures)} measures ({manual} need manual assessment), {len(destinations)} destinations, "
            f"{len(agreements)} agreements, {len(restrictions)} restrictions")
