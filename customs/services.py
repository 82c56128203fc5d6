"""Clearance: one case per shipment, moved one step at a time by Celery tasks.

    pending → declared → screening → assessed → (auto_released | held) → submitted
            → (released | queried | rejected) → cleared

Every step (`case_step`) locks the case, checks that it is still in the status the step starts
from, does its work, writes the new status and an event, and enqueues the next step after
commit. A step that finds the case elsewhere does nothing, so a task run twice (a redelivery
after a worker died, a beat re-drive) is harmless. Officers' actions (`case_release`,
`case_reject`, `case_request_documents`, ...) go through the same transition table.

What other apps hear (by signal, sent inside the deciding transaction): `clearance_decided`
with released=True when the authority's release is handed to the carrier (→ cleared), with
released=False when an officer or the authority rejects (→ refund and cancelled shipment);
`clearance_held` when a case waits for an officer.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from customs.domain.states import CLEARANCE
from customs.models import CaseDocument, ClearanceCase, ClearanceEvent, DocumentRequest, Finding
from customs.selectors import DECIDED_STATUSES
from customs.signals import clearance_decided, clearance_held, documents_requested
from ewtp.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied

REQUIRED_DECLARATION_FIELDS = ("consignor", "consignee", "incoterm", "lines", "currency")
REQUIRED_LINE_FIELDS = ("description", "hs_code", "quantity", "unit_value", "origin", "net_weight_kg")
DOCUMENT_TYPES = {"application/pdf": b"%PDF", "image/png": b"\x89PNG", "image/jpeg": b"\xff\xd8\xff"}


def _setting(name: str, default):
    return getattr(settings, name, default)


def _event(case: ClearanceCase, action: str, *, actor=None, note: str = "", from_status: str = "",
           to_status: str = "") -> ClearanceEvent:
    return ClearanceEvent.objects.create(case=case, action=action, from_status=from_status or case.status,
                                         to_status=to_status or case.status, actor=actor, note=note[:1000])


def _transition(case: ClearanceCase, target: str, *, action: str, actor=None, note: str = "") -> None:
    _transitions(case, [(target, action, note)], actor=actor)


def _transitions(case: ClearanceCase, steps: list[tuple[str, str, str]], *, actor=None,
                 then: tuple[tuple[str, str], ...] = ()) -> None:
    """Move through (target, action, note) steps in one write: an event each, one save; `then`
    adds (action, note) events at the status reached."""
    events = []
    for target, action, note in steps:
        CLEARANCE.check(case.status, target)
        events.append(ClearanceEvent(case=case, action=action, from_status=case.status, to_status=target,
                                     actor=actor, note=note[:1000]))
        case.status = target
    events += [ClearanceEvent(case=case, action=action, from_status=case.status, to_status=case.status,
                              actor=actor, note=note[:1000]) for action, note in then]
    ClearanceEvent.objects.bulk_create(events)
    case.save_changes()


def _enqueue(case: ClearanceCase, *, countdown: float | None = None) -> None:
    """After commit, run the task of the step the case is now waiting for (if it is automatic)."""
    from customs.tasks import task_for

    task = task_for(case.status, lodged=bool(case.mrn))
    if task is not None:
        case_id = case.pk
        transaction.on_commit(lambda: task.apply_async((case_id,), countdown=countdown))


def _lock(case_id: int) -> ClearanceCase | None:
    """The case, row-locked until the transaction ends (None if there is none). `get` rather
    than `first`: no ORDER BY to compile and run for a primary-key lookup on every step."""
    try:
        return ClearanceCase.objects.select_for_update().get(pk=case_id)
    except ClearanceCase.DoesNotExist:
        return None


def _locked(case_id: int) -> ClearanceCase:
    case = _lock(case_id)
    if case is None:
        raise NotFound("No such clearance case.")
    return case


def case_open(*, shipment_reference: str, company_id: int, buyer_id: int, destination: str,
              declaration: dict) -> ClearanceCase:
    """Open the case for a booked shipment (once) and start the pipeline. A shipment booked again
    (the seller cancelled before pickup) keeps its case: the goods and parties are the same, so the
    case goes on where it was, with the new carrier's tracking number on the declaration."""
    with transaction.atomic():
        case, created = ClearanceCase.objects.get_or_create(
            shipment_reference=shipment_reference,
            defaults={"company_id": company_id, "buyer_id": buyer_id, "destination": destination,
                      "declaration": declaration},
        )
        if created:
            _event(case, "opened", note="Declaration received from the booked shipment.")
            _enqueue(case)
        elif case.declaration.get("tracking_number") != declaration.get("tracking_number"):
            case = _lock(case.pk)
            case.declaration = case.declaration | {key: declaration.get(key)
                                                   for key in ("tracking_number", "service_code")}
            case.save_changes()
            _event(case, "rebooked", note=f"Shipment booked again under tracking number "
                                          f"{declaration.get('tracking_number')}.")
    return case


# --- the automatic steps --------------------------------------------------------------------

def _commit_without_waiting_for_disk() -> None:
    """This transaction commits without waiting for PostgreSQL to flush it to disk
    (synchronous_commit off, for this transaction only): a step's commit is a third of its time.
    A database crash can lose the last fraction of a second of steps, never corrupt them; the case
    is then back in an earlier status, `clearance_redrive` runs the step again, and every step is
    idempotent (the authority deduplicates a repeated lodgement on its LRN). Only automatic steps
    do this: officers' decisions, refunds and payments wait for the disk."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def case_step(*, case_id: int, expected: str) -> str:
    """Run the step that starts from `expected`, if the case is still there. Returns the status
    the case is left in. Worker side: `customs.tasks` calls this, one task per step."""
    with transaction.atomic():
        _commit_without_waiting_for_disk()
        case = _lock(case_id)
        if case is None:
            return "missing"
        if case.status != expected:
            return case.status  # done already, or moved on by someone else: nothing to do
        STEPS[expected](case)
        return case.status


def _missing(declaration: dict) -> list[str]:
    """The declaration's empty required fields ("lines[0].hs_code"): an incomplete declaration is
    neither screened nor assessed, only held."""
    missing = [f for f in REQUIRED_DECLARATION_FIELDS if not declaration.get(f)]
    for index, line in enumerate(declaration.get("lines") or []):
        missing += [f"lines[{index}].{f}" for f in REQUIRED_LINE_FIELDS if line.get(f) in (None, "")]
    return missing


def _declare(case: ClearanceCase) -> None:
    missing = _missing(case.declaration)
    if missing:
        Finding.objects.create(case=case, kind="incomplete_declaration",
                               message="The declaration lacks: " + ", ".join(missing), evidence={"missing": missing})
    case.declared_at = case.declared_at or timezone.now()
    _transition(case, "declared", action="declared",
                note="Declaration complete." if not missing else f"Incomplete: {', '.join(missing)}")
    _enqueue(case)


def _screen(case: ClearanceCase) -> None:
    from customs.screening import screen_declaration

    if case.held_at:  # only a held case is screened again (after documents): its old findings stay on record
        case.findings.filter(superseded_at__isnull=True).exclude(kind="incomplete_declaration").update(
            superseded_at=timezone.now())
    findings = [] if _missing(case.declaration) else screen_declaration(
        case.declaration, destination=case.destination, company_id=case.company_id, case_id=case.pk)
    if findings:
        Finding.objects.bulk_create(Finding(case=case, kind=f.kind, message=f.message[:500], evidence=f.evidence)
                                    for f in findings)
    kinds = ": " + ", ".join(sorted({f.kind for f in findings})) if findings else "."
    _transitions(case, [("screening", "screening_started", "")],
                 then=(("screened", f"{len(findings)} finding(s){kinds}"),))
    _enqueue(case)


def _assess(case: ClearanceCase) -> None:
    from customs.screening import assess_declaration

    on = timezone.localdate(case.declared_at) if case.declared_at else None
    if _missing(case.declaration):
        assessment, value = {"summary": "Not assessed: the declaration is incomplete."}, None
    else:
        assessment, value = assess_declaration(case.declaration, destination=case.destination, on=on)
    case.assessment = assessment
    case.customs_value_eur = value
    if assessment.get("mismatch"):
        Finding.objects.create(
            case=case, kind="duty_mismatch",
            message=f"Assessed duties and taxes differ from what the buyer paid by {assessment['difference']['amount']} "
                    f"{assessment['difference']['currency']} (tolerance {assessment['tolerance']['amount']}).",
            evidence={k: assessment[k] for k in ("paid", "difference", "tolerance")}
            | {"assessed": assessment["quote"]["total_duties_and_taxes"], "on": assessment.get("on")})
    if assessment.get("error"):
        Finding.objects.create(case=case, kind="not_assessed", message=assessment["summary"][:500],
                               evidence={"error": assessment["error"]})
    _transition(case, "assessed", action="assessed", note=assessment.get("summary", ""))
    _enqueue(case)


def _decide(case: ClearanceCase) -> None:
    findings = dict(case.findings.filter(superseded_at__isnull=True).values_list("kind", "message"))
    if findings:
        case.held_at = timezone.now()
        case.escalated_at = None
        _transition(case, "held", action="held", note="; ".join(findings.values())[:1000])
        clearance_held.send(sender=ClearanceCase, case=case)
        if "preference_without_proof" in findings:
            _ask_for_proof_of_origin(case)
    else:
        case.decided_at = timezone.now()
        # Handing over for lodging is a status change with nothing to wait for: same step, one task fewer.
        _new_submission(case)
        _transitions(case, [("auto_released", "auto_released", "No findings."),
                            ("submitted", "submitted", HANDED_OVER)])
        _enqueue(case)


def _ask_for_proof_of_origin(case: ClearanceCase) -> None:
    """Only the seller can fix a preference claimed without proof: ask at once instead of making
    them wait for an officer to ask. The upload screens the case again."""
    request = DocumentRequest.objects.create(
        case=case, kinds=[CaseDocument.Kind.PROOF_OF_ORIGIN], requested_by=None,
        message="A preferential tariff rate is claimed: upload the proof of origin the trade agreement asks for "
                "(a certificate of origin or the exporter's statement on origin).")
    _transition(case, "awaiting_documents", action="documents_requested",
                note="proof_of_origin: asked the seller automatically (preference claimed without proof).")
    _documents_requested(request)


def _documents_requested(request: DocumentRequest) -> None:
    transaction.on_commit(lambda: documents_requested.send(sender=DocumentRequest, request=request), robust=True)


HANDED_OVER = "Handed to the customs authority for lodging."


def _new_submission(case: ClearanceCase) -> None:
    case.submission_count += 1
    case.mrn = ""
    case.authority_answer = {}


def _to_submitted(case: ClearanceCase, *, actor=None, note: str = "") -> None:
    """Hand the case to the authority: the lodging itself runs on a worker (`_lodge`)."""
    _new_submission(case)
    _transition(case, "submitted", action="submitted", actor=actor, note=note or HANDED_OVER)
    _enqueue(case)


def _lodge(case: ClearanceCase) -> None:
    from customs.integrations.authority import MAX_COUNTDOWN_SECONDS, Lodgement, authority_adapter

    if case.mrn:
        return  # lodged already
    adapter = authority_adapter()
    # Stable across retries of this submission: the authority deduplicates on it.
    case.lrn = lodgement_lrn(case_id=case.pk, opened_at=case.created_at, submission=case.submission_count)
    case.submitted_at = timezone.now()
    receipt = adapter.lodge(Lodgement(lrn=case.lrn, destination=case.destination, declaration=case.declaration,
                                      lodged_at=case.submitted_at, declared_on=_declared_on(case)))
    case.mrn = receipt.mrn
    case.save_changes()
    _event(case, "lodged", note=f"Lodged as {case.lrn}; the authority's reference is {case.mrn}.")
    # Ask when the answer is due (a little after, so that it is); an authority that answers at once, at once.
    wait = adapter.poll_after_seconds
    _enqueue(case, countdown=min(wait + 0.5, MAX_COUNTDOWN_SECONDS) if wait > 0 else None)


def lodgement_lrn(*, case_id: int, opened_at, submission: int) -> str:
    """The Local Reference Number of a case's `submission`-th lodgement: "EWTP-<case>-<opened>-<n>", the
    opening time in base 36 (six characters until 2038), so that it stays within the an..22 that H7
    (DE 12 09) and the WCO Data Model (D026) allow for cases up to 99,999,999 and nine resubmissions."""
    from django.utils.http import int_to_base36

    digits = int_to_base36(int(opened_at.timestamp())).upper()
    return f"EWTP-{case_id}-{digits}-{submission}"


def _declared_on(case: ClearanceCase):
    return timezone.localdate(case.declared_at) if case.declared_at else None


def _lodgement(case: ClearanceCase):
    from customs.integrations.authority import Lodgement, Receipt

    return Receipt(lrn=case.lrn, mrn=case.mrn), Lodgement(lrn=case.lrn, destination=case.destination,
                                                          declaration=case.declaration, lodged_at=case.submitted_at,
                                                          declared_on=_declared_on(case))


def case_poll_authority(*, case_id: int) -> str:
    """Ask the authority for its answer on a lodged case (worker side; beat re-asks)."""
    from customs.integrations.authority import authority_adapter

    with transaction.atomic():
        _commit_without_waiting_for_disk()
        case = _lock(case_id)
        if case is None or case.status != "submitted" or not case.mrn:
            return case.status if case else "missing"
        receipt, lodgement = _lodgement(case)
        answer = authority_adapter().answer(receipt, lodgement=lodgement)
        if answer is None:
            return "waiting"
        case_authority_answered(case=case, outcome=answer.outcome, reason=answer.reason, details=answer.details)
        return case.status


def case_authority_answered(*, case: ClearanceCase, outcome: str, reason: str, details: dict | None = None) -> None:
    """Record the authority's answer (call under the case's lock: `case_poll_authority`, or a
    webhook view of a real authority that pushes its answers)."""
    case.authority_answer = {"outcome": outcome, "reason": reason, "details": details or {},
                             "answered_at": timezone.now().isoformat()}
    if outcome == "released":
        _transition(case, "released", action="authority_released", note=reason)
        _enqueue(case)
    elif outcome == "queried":
        case.held_at = timezone.now()
        case.escalated_at = None
        _transition(case, "queried", action="authority_queried", note=reason)
        clearance_held.send(sender=ClearanceCase, case=case)
    elif outcome == "rejected":
        case.decided_at = timezone.now()
        _transition(case, "rejected", action="authority_rejected", note=reason)
        _decided(case, released=False, reason=reason)
    else:
        raise ApplicationError(f"Unknown authority outcome '{outcome}'.", code="invalid_outcome", field="outcome")


def _clear(case: ClearanceCase) -> None:
    _transition(case, "cleared", action="cleared", note="Released goods handed back to the carrier.")
    _decided(case, released=True, reason=case.authority_answer.get("reason", "Released by customs."))


def _decided(case: ClearanceCase, *, released: bool, reason: str) -> None:
    """Tell logistics, the marketplace and the notifications (which email buyer and seller after commit),
    in this transaction."""
    clearance_decided.send(sender=ClearanceCase, case=case, released=released, reason=reason)


STEPS = {"pending": _declare, "declared": _screen, "screening": _assess, "assessed": _decide,
         "auto_released": _to_submitted, "submitted": _lodge, "released": _clear}


def authority_settle(*, reference: str, destination: str, currency: str, amount: Decimal,
                     lines: list[tuple[str, str, Decimal]]) -> str:
    """Pay the customs authority the duties and taxes owed (`lines`: shipment reference, MRN, amount) under
    our `reference`, once however often it is called (the adapter deduplicates on it). Returns the
    authority's payment reference; raises AuthorityUnavailable (a TransientError) to be retried."""
    from customs.integrations.authority import Settlement, SettlementLine, authority_adapter

    receipt = authority_adapter().settle(Settlement(
        reference=reference, destination=destination, currency=currency, amount=amount,
        lines=tuple(SettlementLine(reference=r, mrn=m, amount=a) for r, m, a in lines)))
    return receipt.payment_reference


def case_fail(*, case_id: int, error: str) -> None:
    """A step failed for good: the case shows the error (and where it stopped) instead of failing silently."""
    with transaction.atomic():
        case = _lock(case_id)
        if case is not None and CLEARANCE.can(case.status, "error"):
            case.last_error = error[:500]
            case.error_step = case.status
            _transition(case, "error", action="step_failed", note=error)


def case_retry(*, case_id: int, officer) -> ClearanceCase:
    """An officer sends a failed case back to the step it failed in."""
    _check_officer(officer)
    with transaction.atomic():
        case = _locked(case_id)
        if case.status != "error":
            raise Conflict("Only a case in error can be retried.", code="not_in_error", field="status")
        target = case.error_step or "pending"
        case.last_error = ""
        case.error_step = ""
        _transition(case, target, action="retried", actor=officer, note=f"Retry from '{target}'.")
        _enqueue(case)
    return case


def case_redrive(*, case_id: int) -> None:
    """Beat: enqueue the step a case is waiting in again (a lost message, a crashed worker)."""
    case = ClearanceCase.objects.filter(pk=case_id).first()
    if case is not None:
        with transaction.atomic():
            _enqueue(case)


# --- officers -------------------------------------------------------------------------------

def _check_officer(user) -> None:
    if not (user and user.is_authenticated and user.has_perm("customs.decide_clearancecase")):
        raise PermissionDenied("Only customs officers may decide clearance cases.")


def case_release(*, case_id: int, officer, note: str = "") -> ClearanceCase:
    """The officer lets a hold (or a queried case, once answered) go to the authority."""
    _check_officer(officer)
    with transaction.atomic():
        case = _locked(case_id)
        if case.status in ("submitted", "released", "cleared") and case.decided_at:
            return case  # a double click releases once
        if case.status not in ("held", "awaiting_documents", "queried"):
            raise Conflict(f"A case that is {case.status} cannot be released.", code="invalid_transition",
                           field="status")
        case.decided_at = timezone.now()
        case.rejection_proposed_by, case.rejection_reason = None, ""
        _event(case, "officer_released", actor=officer, note=note or "Released by officer.")
        _to_submitted(case, actor=officer, note="Lodged with the authority after the officer's release.")
    return case


def case_reject(*, case_id: int, officer, reason: str) -> ClearanceCase:
    """Reject: the buyer is refunded and the shipment cancelled. Above CLEARANCE_FOUR_EYES_EUR the
    first officer proposes and a second, different officer confirms."""
    _check_officer(officer)
    reason = (reason or "").strip()
    with transaction.atomic():
        case = _locked(case_id)
        if case.status == "rejected":
            return case
        if not reason and not case.rejection_reason:
            raise ApplicationError("Say why the shipment is rejected.", code="reason_required", field="reason")
        CLEARANCE.check(case.status, "rejected")
        threshold = Decimal(str(_setting("CLEARANCE_FOUR_EYES_EUR", "2000")))
        if case.customs_value_eur is not None and case.customs_value_eur > threshold:
            if case.rejection_proposed_by_id is None:
                case.rejection_proposed_by, case.rejection_reason = officer, reason[:1000]
                case.save_changes()
                _event(case, "rejection_proposed", actor=officer,
                       note=f"{reason} (above {threshold} EUR: a second officer must confirm)")
                return case
            if case.rejection_proposed_by_id == officer.pk:
                raise PermissionDenied("A second officer must confirm this rejection (four eyes).",
                                       code="four_eyes_required", field="officer")
            reason = case.rejection_reason + (f" — confirmed: {reason}" if reason else " — confirmed")
        case.decided_at = timezone.now()
        _transition(case, "rejected", action="rejected", actor=officer, note=reason)
        _decided(case, released=False, reason=reason)
    return case


def case_flag_carrier_conflict(*, reference: str, carrier: str, code: str, occurred_at, location: str = "") -> bool:
    """A carrier says goods customs has not decided yet moved past customs (out for delivery,
    delivered). Its word moves nothing: the case stays decidable and gets a `carrier_conflict`
    finding and an event for staff (once per case while the finding is active). Returns whether
    it flagged now. Runs in the caller's transaction (the carrier push)."""
    case = ClearanceCase.objects.select_for_update().filter(shipment_reference=reference).first()
    if case is None or case.status in DECIDED_STATUSES:
        return False
    when = occurred_at.isoformat() if hasattr(occurred_at, "isoformat") else str(occurred_at)
    note = (f"Carrier {carrier} reported '{code}' at {when}{f' in {location}' if location else ''} while customs "
            f"has not released the goods (case {case.status}); the shipment was not moved and no money was released.")
    _event(case, "carrier_conflict", note=note)
    if case.findings.filter(kind="carrier_conflict", superseded_at__isnull=True).exists():
        return False
    Finding.objects.create(case=case, kind="carrier_conflict", message=note[:500],
                           evidence={"carrier": carrier, "event": code, "occurred_at": when,
                                     "location": location[:120], "case_status": case.status})
    return True


def case_assign(*, case_id: int, officer) -> ClearanceCase:
    _check_officer(officer)
    with transaction.atomic():
        case = _locked(case_id)
        if case.assigned_to_id != officer.pk:
            case.assigned_to = officer
            case.save_changes()
            _event(case, "assigned", actor=officer, note=f"Assigned to {officer.email}.")
    return case


def case_add_note(*, case_id: int, officer, note: str) -> ClearanceCase:
    _check_officer(officer)
    note = (note or "").strip()
    if not note:
        raise ApplicationError("Write the note.", code="note_required", field="note")
    with transaction.atomic():
        case = _locked(case_id)
        _event(case, "note", actor=officer, note=note)
    return case


def case_request_documents(*, case_id: int, officer, kinds: list[str], message: str) -> DocumentRequest:
    """Ask the seller for documents: a task on the seller's page; the upload re-screens the case."""
    _check_officer(officer)
    kinds = [k for k in dict.fromkeys(kinds or []) if k]
    if not kinds or any(k not in CaseDocument.Kind.values for k in kinds):
        raise ApplicationError("Choose the documents to ask for.", code="invalid_documents", field="kinds")
    message = (message or "").strip()
    if not message:
        raise ApplicationError("Tell the seller what is needed.", code="message_required", field="message")
    with transaction.atomic():
        case = _locked(case_id)
        request = DocumentRequest.objects.create(case=case, kinds=kinds, message=message[:1000], requested_by=officer)
        _transition(case, "awaiting_documents", action="documents_requested", actor=officer,
                    note=f"{', '.join(kinds)}: {message}")
        _documents_requested(request)
    return request


def _checked_proof(case: ClearanceCase, proof: dict | None) -> dict:
    """A proof of origin's type and fields, checked against what the granted preference's agreement names
    (the open `preference_without_proof` finding says which): the agreement, the certificate's or
    certification's number, its date (not in the future, not before the agreement is in force)."""
    finding = case.findings.filter(kind="preference_without_proof", superseded_at__isnull=True).first()
    needed = (finding.evidence or {}).get("proofs") if finding else None
    if not needed:
        return {"kind": "uploaded statement"}
    proof = proof or {}
    agreements = sorted({p["agreement"] for p in needed})
    agreement = str(proof.get("agreement") or (agreements[0] if len(agreements) == 1 else "")).strip()
    if agreement not in agreements:
        raise ApplicationError(f"Choose the agreement the proof is for: {', '.join(agreements)}.",
                               code="proof_wrong_agreement", field="proof_agreement")
    number = str(proof.get("number") or "").strip()
    if not number or len(number) > 64:
        raise ApplicationError("Give the number of the certificate or certification of origin (at most 64 "
                               "characters).", code="proof_number_required", field="proof_number")
    raw_date = str(proof.get("issued_on") or "").strip()
    try:
        issued_on = date.fromisoformat(raw_date)
    except ValueError as exc:
        raise ApplicationError("Give the date the proof was issued or signed, e.g. 2026-12-01.",
                               code="proof_date_invalid", field="proof_issued_on") from exc
    from customs.selectors import tariff_book

    in_force = tariff_book().agreements[agreement].in_force_from
    if issued_on > timezone.localdate() or issued_on < in_force:
        raise ApplicationError(f"The proof's date must be between {in_force.isoformat()} and today.",
                               code="proof_date_invalid", field="proof_issued_on")
    kind = next(p["kind"] for p in needed if p["agreement"] == agreement)
    return {"kind": kind, "agreement": agreement, "number": number, "issued_on": issued_on.isoformat()}


def case_document_upload(*, case_id: int, company_id: int | None, user, kind: str, upload,
                         proof: dict | None = None) -> CaseDocument:
    """The seller answers a document request: the file is checked, stored, and the case re-screened. A proof
    of origin also gives its agreement, number and date (`proof`), checked against the preference granted."""
    if kind not in CaseDocument.Kind.values:
        raise ApplicationError("Choose the kind of document.", code="invalid_kind", field="kind")
    if upload is None:
        raise ApplicationError("Choose a file to upload.", code="file_required", field="file")
    limit = int(_setting("CLEARANCE_DOCUMENT_MAX_BYTES", 5 * 1024 * 1024))
    if upload.size > limit:
        raise ApplicationError(f"The file is larger than {limit // (1024 * 1024)} MB.", code="file_too_large",
                               field="file")
    head = upload.read(8)
    upload.seek(0)
    content_type = next((t for t, magic in DOCUMENT_TYPES.items() if head.startswith(magic)), None)
    if content_type is None:
        raise ApplicationError("Upload a PDF, PNG or JPEG file.", code="invalid_file_type", field="file")
    with transaction.atomic():
        case = _lock(case_id)
        if case is None or company_id is None or case.company_id != company_id:
            raise NotFound("No such clearance case.")
        if case.status != "awaiting_documents":
            raise Conflict("This case does not wait for documents.", code="no_documents_requested", field="status")
        checked = _checked_proof(case, proof) if kind == CaseDocument.Kind.PROOF_OF_ORIGIN else None
        document = CaseDocument.objects.create(case=case, kind=kind, file=upload,
                                               original_name=str(upload.name)[:200], content_type=content_type,
                                               size=upload.size, uploaded_by=user)
        case.document_requests.filter(answered_at__isnull=True).update(answered_at=timezone.now())
        if kind == CaseDocument.Kind.PROOF_OF_ORIGIN:
            case.declaration = {**case.declaration, "proof_of_origin": {"document_id": document.pk, **checked}}
        _transition(case, "declared", action="documents_received", actor=user,
                    note=f"{document.get_kind_display()}: {document.original_name}. Screening again.")
        _enqueue(case)
    return document


def case_escalate_overdue() -> int:
    """Beat: holds older than the SLA are escalated (shown first, recorded once)."""
    from datetime import timedelta

    cutoff = timezone.now() - timedelta(hours=float(_setting("CLEARANCE_HOLD_SLA_HOURS", 24)))
    escalated = 0
    for case_id in ClearanceCase.objects.filter(status__in=["held", "awaiting_documents", "queried"],
                                                held_at__lt=cutoff, escalated_at__isnull=True
                                                ).values_list("pk", flat=True)[:500]:
        with transaction.atomic():
            case = _locked(case_id)
            if case.escalated_at is None and case.status in ("held", "awaiting_documents", "queried"):
                case.escalated_at = timezone.now()
                case.save_changes()
                _event(case, "escalated", note="Waiting longer than the SLA.")
                escalated += 1
    return escalated


def case_authority_overdue(*, case_id: int) -> None:
    """Beat: an authority answer that never came puts the case in error for an officer."""
    case_fail(case_id=case_id, error="No answer from the customs authority in time; retry to ask again.")


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
        ("customs.screening_lists", sorted((data / "screening").glob("*.csv")) + sorted((data / "screening").glob("*.xml")),
         screening_lists_store),
    ]


def screening_lists_store(*, sdn: str | None = None, un: str | None = None) -> str:
    """Load denied-party lists into the database (replacing each list loaded): the OFAC SDN CSV and
    the UN Security Council consolidated XML. Defaults: the files under customs/data/screening.
    Workers rebuild their in-memory index when they see the new version."""
    import uuid

    from customs import reference
    from customs.domain.screening import LIST_OFAC_SDN, LIST_UN_SC
    from customs.integrations.sanctions_lists import read_ofac_sdn_csv, read_un_consolidated_xml
    from customs.models import ScreeningEntry, ScreeningList

    folder = reference.DATA_DIR / "screening"
    sources = [(LIST_OFAC_SDN, sdn or str(folder / "sdn.csv"), read_ofac_sdn_csv),
               (LIST_UN_SC, un or str(folder / "un-consolidated-sample.xml"), read_un_consolidated_xml)]
    summary = []
    with transaction.atomic():
        for list_name, source, reader in sources:
            parties = reader(source)
            ScreeningList.objects.filter(name=list_name).delete()
            listing = ScreeningList.objects.create(name=list_name, source=str(source)[:500],
                                                   entry_count=len(parties), version=uuid.uuid4().hex)
            unique = {p.entry_id: p for p in parties}
            ScreeningEntry.objects.bulk_create(
                (ScreeningEntry(screening_list=listing, entry_id=p.entry_id[:40], name=p.name[:500],
                                aliases=list(p.aliases), party_type=p.party_type, programs=list(p.programs),
                                countries=list(p.countries), remarks=p.remarks) for p in unique.values()),
                batch_size=2000)
            summary.append(f"{list_name} {len(unique)} entries")
    from customs.screening import screening_index

    screening_index.cache_clear()
    return ", ".join(summary)


def hs_nomenclature_store() -> str:
    """The HS 2022 tree into HsCode, and the Chinese names (customs/data/hs/hs-names-zh.csv) as
    ReferenceDocument rows of kind "hs_name_zh" (HsCode holds one description)."""
    from customs import reference
    from customs.models import HsCode, ReferenceDocument
    from customs.selectors import hs_index

    entries = reference.read_hs_nomenclature()
    HsCode.objects.all().delete()
    HsCode.objects.bulk_create(
        (HsCode(code=e.code, description=e.description, level=len(e.code), parent_code=e.parent or "",
                section=e.section) for e in entries), batch_size=2000)
    names_zh = reference.read_hs_names_zh()
    known = {e.code for e in entries}
    unknown = sorted(set(names_zh) - known)
    if unknown:
        raise ValueError(f"hs-names-zh.csv names codes that are not in HS 2022: {', '.join(unknown)}")
    ReferenceDocument.objects.filter(kind="hs_name_zh").delete()
    ReferenceDocument.objects.bulk_create(
        (ReferenceDocument(kind="hs_name_zh", key=code, data={"zh": name, "source": reference.HS_NAMES_ZH_SOURCE})
         for code, name in names_zh.items()), batch_size=2000)
    hs_index.cache_clear()
    by_level = {n: sum(1 for e in entries if len(e.code) == n) for n in (2, 4, 6)}
    zh_levels = {n: sum(1 for c in names_zh if len(c) == n) for n in (2, 4, 6)}
    return (f"{by_level[2]} chapters, {by_level[4]} headings, {by_level[6]} subheadings (HS 2022); Chinese names "
            f"for {zh_levels[2]} chapters, {zh_levels[4]} headings, {zh_levels[6]} subheadings")


def tariff_book_store() -> str:
    """The tariff book's records (customs.reference.read_book_records) into TariffMeasure and ReferenceDocument,
    from which customs.selectors.tariff_book builds the book with the tests' builder."""
    from customs import reference
    from customs.domain.duty_expression import parse_duty_expression
    from customs.domain.tariff_book import MEASURE_COLUMNS
    from customs.models import ReferenceDocument, TariffMeasure
    from customs.selectors import tariff_book

    records = reference.read_book_records()
    TariffMeasure.objects.all().delete()
    TariffMeasure.objects.bulk_create((TariffMeasure(**dict(zip(MEASURE_COLUMNS, row, strict=True)))
                                       for row in records.measures), batch_size=5000)
    ReferenceDocument.objects.filter(kind__in=("destination", "agreement", "restriction", "hs_correlation")).delete()
    ReferenceDocument.objects.bulk_create(
        [ReferenceDocument(kind="destination", key=d["code"], data=d) for d in records.destinations]
        + [ReferenceDocument(kind="agreement", key=a["code"], data=a) for a in records.agreements]
        + [ReferenceDocument(kind="restriction", key=f"{r['destination']}:{r['hs_prefix']}:{i}", data=r)
           for i, r in enumerate(records.restrictions)]
        + [ReferenceDocument(kind="hs_correlation", key="HS2022-HS2017", data={
            "source": reference.HS_CORRELATION_SOURCE, "codes": records.hs_correlation})])
    tariff_book.cache_clear()
    manual = sum(1 for row in records.measures if parse_duty_expression(row[2]).needs_manual_assessment)
    return (f"{len(records.measures)} measures ({manual} need manual assessment), {len(records.destinations)} "
            f"destinations, {len(records.agreements)} agreements, {len(records.restrictions)} restrictions")
