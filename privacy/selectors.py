"""Reads: what a user's personal data is (the export, GDPR art. 15 and 20, PIPL art. 45), and what
stands in the way of erasing it (open obligations).

The export holds the user's own data and nothing of anyone else's: as a buyer, their orders, payments,
shipments and customs cases; as a seller, their membership and their company's record (not its orders,
which hold the buyers' names and addresses). Where one of their records names another person (the
sender of a parcel, the officer who decided a case), that person is left out.
"""

from __future__ import annotations

import io
import json
import posixpath
import tempfile
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from customs.models import CaseDocument, ClearanceCase
from ewtp.files import private_storage
from ewtp.money import Money
from logistics.models import Shipment
from marketplace.models import Order, Rfq
from payments.models import LedgerEntry, Payment, PaymentAllocation, Payout
from payments.services import seller_payable

EXPORT_FORMAT = "ewtp-personal-data/1"
# Orders, cases and shipments still under way: the user owes or is owed something.
ORDERS_IN_FLIGHT = (Order.Status.PENDING_PAYMENT, Order.Status.PAID, Order.Status.SHIPPED, Order.Status.DELIVERED)
CASES_DONE = (ClearanceCase.Status.CLEARED, ClearanceCase.Status.REJECTED)


def _money(amount, currency: str) -> dict:
    return Money(Decimal(amount), currency).as_json()


def _party(data: dict | None) -> dict:
    return dict(data or {})


def _sender(data: dict | None) -> dict:
    """The sender of a parcel as the buyer may see it: the seller company and where it ships from,
    without the seller's staff member's name or email."""
    data = data or {}
    return {key: data.get(key, "") for key in ("company", "city", "country")}


def _account(user) -> dict:
    return {
        "id": user.pk, "email": user.email, "full_name": user.full_name, "first_name": user.first_name,
        "last_name": user.last_name, "country": user.country, "preferred_currency": user.preferred_currency,
        "address_line": user.address_line, "city": user.city, "postcode": user.postcode, "language": user.language,
        "date_joined": user.date_joined, "last_login": user.last_login, "is_active": user.is_active,
        "roles": sorted(user.groups.values_list("name", flat=True)),
    }


def _notifications(user) -> dict:
    """What the platform told the user (the inbox, and whether each was emailed) and their email choices: each
    notification's kind and the order or shipment it is about, not its text, which names the other party (a
    seller's buyers are not the seller's to take away)."""
    from notifications.models import EmailPreference, Notification

    return {"inbox": [{"kind": n.kind, "about": n.context.get("reference", ""), "link": n.url,
                       "created_at": n.created_at,
                       "read_at": n.read_at, "email": n.email_status, "emailed_at": n.emailed_at}
                      for n in Notification.objects.filter(recipient=user).order_by("created_at", "pk")],
            "email_off": sorted(EmailPreference.objects.filter(user=user, email=False).values_list("kind", flat=True))}


def _addresses(user) -> list[dict]:
    return [{"label": a.label, "name": a.name, "line": a.line, "city": a.city, "postcode": a.postcode,
             "country": a.country, "is_default": a.is_default, "created_at": a.created_at}
            for a in user.addresses.all()]


COMPANY_EXPORT_FIELDS = ("legal_name", "country", "city", "address", "postcode", "registration_number", "tax_id",
                         "currency", "verification", "verification_reason", "vat_number", "eori_number",
                         "contact_name", "contact_email", "contact_phone", "submitted_at", "verified_at",
                         "created_at")


def _companies(memberships) -> list[dict]:
    return [{"role": m.role, "company_id": m.company_id,
             "company": {name: getattr(m.company, name) for name in COMPANY_EXPORT_FIELDS}
             | {"business_licence": bool(m.company.business_licence)}}
            for m in memberships]


def _orders(user) -> list[dict]:
    orders = (Order.objects.filter(buyer=user).select_related("company", "checkout")
              .prefetch_related("lines", "events").order_by("created_at", "id"))
    rows = []
    for order in orders:
        rows.append({
            "reference": order.reference, "checkout": order.checkout.reference if order.checkout else "",
            "seller": order.company.legal_name, "status": order.status, "incoterm": order.incoterm,
            "ship_to": {"name": order.ship_name, "address": order.ship_address, "city": order.ship_city,
                        "postcode": order.ship_postcode, "country": order.ship_country},
            "goods": _money(order.goods_amount, order.currency), "shipping": _money(order.shipping_amount, order.currency),
            "duties": _money(order.duties_amount, order.currency), "total": _money(order.total_amount, order.currency),
            "quote": order.quote, "quote_expires_at": order.quote_expires_at,
            "shipping_service": order.shipping_service, "delivered_at": order.delivered_at,
            "created_at": order.created_at,
            "lines": [{"description": line.description, "quantity": line.quantity, "hs_code": line.hs_code,
                       "origin_country": line.origin_country,
                       "unit_price": _money(line.unit_price_amount, line.currency)} for line in order.lines.all()],
            # who moved the order: the user, or "seller"/"platform" (staff stay unnamed)
            "history": [{"from": e.from_status, "to": e.to_status, "note": e.note, "at": e.created_at,
                         "by": "you" if e.actor_id == user.pk else ("platform" if e.actor_id is None else "other")}
                        for e in order.events.all()],
        })
    return rows


def _payments(user) -> list[dict]:
    payments = list(Payment.objects.filter(buyer=user).prefetch_related(
        Prefetch("allocations", queryset=PaymentAllocation.objects.order_by("id"))).order_by("created_at", "id"))
    references = [a.reference for p in payments for a in p.allocations.all()]
    refunds: dict[str, list[dict]] = {}
    entries = (LedgerEntry.objects.filter(transaction__reference__in=references, transaction__kind__startswith="refund",
                                          account="provider_cash")
               .select_related("transaction").order_by("transaction__created_at", "id"))
    for entry in entries:
        refunds.setdefault(entry.transaction.reference, []).append({
            "amount": _money(-entry.amount, entry.currency), "reason": entry.transaction.memo,
            "at": entry.transaction.created_at})
    return [{
        "reference": p.reference, "status": p.status, "amount": _money(p.amount, p.currency),
        "duties": _money(p.duties_amount, p.currency), "refunded": _money(p.refunded_amount, p.currency),
        "provider": p.provider, "card_last4": p.card_last4, "failure_reason": p.failure_reason,
        "created_at": p.created_at,
        "orders": [{"reference": a.reference, "amount": _money(a.amount, p.currency),
                    "refunded": _money(a.refunded_amount, p.currency), "refunds": refunds.get(a.reference, [])}
                   for a in p.allocations.all()],
    } for p in payments]


def _shipments(user) -> list[dict]:
    shipments = Shipment.objects.filter(buyer_id=user.pk).prefetch_related("parcels", "events").order_by(
        "created_at", "id")
    return [{
        "order": s.order_reference, "status": s.status, "service": s.service_code,
        "tracking_number": s.tracking_number, "incoterm": s.incoterm, "recipient": _party(s.recipient),
        "sender": _sender(s.sender), "goods": s.goods, "paid_duties": s.paid_duties, "freight": s.freight,
        "booked_at": s.booked_at, "delivered_at": s.delivered_at, "created_at": s.created_at,
        "parcels": [{"weight_kg": p.weight_kg, "length_cm": p.length_cm, "width_cm": p.width_cm,
                     "height_cm": p.height_cm} for p in s.parcels.all()],
        "tracking": [{"code": e.code, "at": e.occurred_at, "location": e.location, "description": e.description,
                      "source": e.source} for e in s.events.all()],
    } for s in shipments]


def _customs_cases(user) -> list[dict]:
    """The cases about the user's parcels, as far as they are about the user: the consignee (them), the
    goods and the duties assessed, and the steps; not the risk findings, the seller's side or the officers."""
    cases = ClearanceCase.objects.filter(buyer_id=user.pk).prefetch_related("events").order_by("created_at", "id")
    rows = []
    for case in cases:
        declaration = case.declaration or {}
        rows.append({
            "order": case.shipment_reference, "destination": case.destination, "status": case.status,
            "consignee": _party(declaration.get("consignee")), "goods": declaration.get("lines", []),
            "incoterm": declaration.get("incoterm", ""), "assessment": case.assessment,
            "customs_value_eur": case.customs_value_eur, "declared_at": case.declared_at,
            "decided_at": case.decided_at, "created_at": case.created_at,
            "steps": [{"action": e.action, "from": e.from_status, "to": e.to_status, "at": e.created_at}
                      for e in case.events.all()],
        })
    return rows


def _rfqs(user) -> list[dict]:
    rfqs = Rfq.objects.filter(buyer=user).select_related("listing__company", "quotation").order_by("created_at", "id")
    rows = []
    for rfq in rfqs:
        quotation = getattr(rfq, "quotation", None)
        rows.append({
            "listing": rfq.listing.title, "seller": rfq.listing.company.legal_name, "quantity": rfq.quantity,
            "message": rfq.message, "status": rfq.status, "created_at": rfq.created_at,
            "quotation": None if quotation is None else {
                "unit_price": quotation.unit_price.as_json(), "valid_until": quotation.valid_until,
                "note": quotation.note, "created_at": quotation.created_at},
        })
    return rows


def _security(user) -> dict:
    """Sign-in and security records that hold the user's data. Failed sign-ins under their email are given
    as times and counts: the address and browser they came from may be someone else's."""
    from axes.models import AccessAttempt, AccessFailureLog
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from rest_framework.authtoken.models import Token

    from ewtp.models import StaffAction

    return {
        "date_joined": user.date_joined, "last_login": user.last_login,
        "two_factor_devices": [{"name": d.name, "confirmed": d.confirmed, "created_at": d.created_at,
                                "last_used_at": d.last_used_at} for d in TOTPDevice.objects.filter(user=user)],
        "api_tokens": [{"created": created} for created in Token.objects.filter(user=user).values_list(
            "created", flat=True)],
        "sign_in_lockouts": [{"at": at, "failures": failures} for at, failures in AccessAttempt.objects.filter(
            username=user.email).values_list("attempt_time", "failures_since_start")],
        "failed_sign_ins": [{"at": at, "locked_out": locked} for at, locked in AccessFailureLog.objects.filter(
            username=user.email).values_list("attempt_time", "locked_out")],
        "staff_actions": [{"action": a.action, "target": a.target, "at": a.created_at}
                          for a in StaffAction.objects.filter(actor=user)],
    }


@dataclass
class ExportFile:
    archive_name: str
    storage_name: str
    size: int
    what: str


@dataclass
class PersonalData:
    areas: dict[str, object]
    files: list[ExportFile] = field(default_factory=list)
    omitted: list[dict] = field(default_factory=list)


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in posixpath.basename(name))[:80] or "file"


def _files(user, memberships) -> tuple[list[ExportFile], list[dict]]:
    """The files the user uploaded and may still open: their company's business licence and the documents
    they gave customs for their company's cases, up to PRIVACY_EXPORT_MAX_FILE_BYTES in all."""
    storage = private_storage()
    wanted: list[ExportFile] = []
    for m in memberships:
        licence = m.company.business_licence
        if licence and storage.exists(licence.name):
            wanted.append(ExportFile(f"files/company-{m.company_id}/business-licence{posixpath.splitext(licence.name)[1]}",
                                     licence.name, storage.size(licence.name), "business licence"))
    company_ids = [m.company_id for m in memberships]
    documents = CaseDocument.objects.filter(uploaded_by=user, case__company_id__in=company_ids).select_related("case")
    for doc in documents.order_by("id"):
        if storage.exists(doc.file.name):
            wanted.append(ExportFile(f"files/customs/{doc.case.shipment_reference}/{doc.pk}-{_safe(doc.original_name)}",
                                     doc.file.name, doc.size, f"customs document ({doc.kind})"))
    budget, included, omitted = settings.PRIVACY_EXPORT_MAX_FILE_BYTES, [], []
    for item in wanted:
        if item.size <= budget:
            included.append(item)
            budget -= item.size
        else:
            omitted.append({"file": item.archive_name, "what": item.what, "bytes": item.size,
                            "reason": "over the export's size limit: download it from its page"})
    return included, omitted


def personal_data(*, user) -> PersonalData:
    """Everything the platform holds about `user`, by area, in a constant number of queries."""
    memberships = list(user.memberships.select_related("company").order_by("id"))
    areas = {
        "account": _account(user), "addresses": _addresses(user), "companies": _companies(memberships),
        "orders": _orders(user), "payments": _payments(user), "shipments": _shipments(user),
        "customs_cases": _customs_cases(user), "rfqs": _rfqs(user), "security": _security(user),
        "notifications": _notifications(user),
    }
    files, omitted = _files(user, memberships)
    return PersonalData(areas=areas, files=files, omitted=omitted)


def _dump(data) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2, sort_keys=False).encode()


def personal_data_archive(*, user) -> tuple[str, tempfile.SpooledTemporaryFile]:
    """The export as a ZIP: one JSON file per area, manifest.json and the user's files under files/.
    Built while the user waits (bounded: JSON of their own records, files up to the size limit);
    returns (file name, the archive open at its start)."""
    data = personal_data(user=user)
    now = timezone.now()
    manifest = {
        "format": EXPORT_FORMAT, "generated_at": now, "user_id": user.pk,
        "areas": {name: f"{name}.json" for name in data.areas},
        "files": [{"file": f.archive_name, "what": f.what, "bytes": f.size} for f in data.files],
        "files_not_included": data.omitted,
        "not_included": [
            "Orders your seller company received: they hold the buyers' personal data, not yours.",
            "Risk screening findings and officers' notes on customs cases.",
            "The names of staff who handled your orders and cases.",
            "Secrets: API token keys, two-factor keys, payment client secrets.",
        ],
    }
    spooled = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)
    storage = private_storage()
    with zipfile.ZipFile(spooled, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", _dump(manifest))
        for name, area in data.areas.items():
            archive.writestr(f"{name}.json", _dump(area))
        for item in data.files:
            with storage.open(item.storage_name, "rb") as source, archive.open(item.archive_name, "w") as target:
                while chunk := source.read(1024 * 1024):
                    target.write(chunk)
    spooled.seek(0)
    return f"ewtp-personal-data-{user.pk}-{now:%Y%m%d}.zip", spooled


def read_archive(stream: io.BufferedIOBase | bytes) -> dict[str, object]:
    """An export read back: {file name: parsed JSON or bytes} (for tests and for support staff)."""
    raw = stream if isinstance(stream, bytes) else stream.read()
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        return {name: json.loads(archive.read(name)) if name.endswith(".json") else archive.read(name)
                for name in archive.namelist()}


# --- erasure ---------------------------------------------------------------------------------------


def _sole_member_companies(user) -> list:
    """The companies the user belongs to where no other active member would carry on."""
    companies = []
    for m in user.memberships.select_related("company"):
        others = m.company.members.exclude(user=user).filter(user__is_active=True).exists()
        if not others:
            companies.append(m.company)
    return companies


def erasure_obligations(*, user) -> list[str]:
    """What stands in the way of erasing `user`, in words: orders under way, money escrow still holds for
    them, a seller company of theirs with orders under way or an unsettled balance, open customs cases.
    Empty when nothing does."""
    problems: list[str] = []
    if user.is_staff or user.is_superuser or user.groups.exists():
        problems.append(_("Your account holds a staff role: an administrator closes staff accounts."))
    for order in Order.objects.filter(buyer=user, status__in=ORDERS_IN_FLIGHT).order_by("id"):
        problems.append(_("Order %(ref)s is still under way (%(status)s).") % {
            "ref": order.reference, "status": order.get_status_display()})
    released = Payout.objects.values("reference")
    held = PaymentAllocation.objects.filter(payment__buyer=user, payment__status=Payment.Status.SUCCEEDED).exclude(
        reference__in=released).select_related("payment").order_by("id")
    for allocation in held:
        if allocation.escrow_held.amount > 0:
            problems.append(_("Escrow still holds %(money)s for order %(ref)s.") % {
                "money": allocation.escrow_held, "ref": allocation.reference})
    for case in ClearanceCase.objects.filter(buyer_id=user.pk).exclude(status__in=CASES_DONE).order_by("id"):
        problems.append(_("The customs case of order %(ref)s is still open (%(status)s).") % {
            # the status's label as the status badge shows it (templates/components/status_badge.html)
            "ref": case.shipment_reference, "status": pgettext("status", case.status.replace("_", " ").capitalize())})
    for company in _sole_member_companies(user):
        in_flight = Order.objects.filter(company=company, status__in=ORDERS_IN_FLIGHT).count()
        if in_flight:
            problems.append(_("Your company %(name)s has %(count)s order(s) under way.") % {
                "name": company.legal_name, "count": in_flight})
        balances = (LedgerEntry.objects.filter(account=seller_payable(company.pk)).values("currency")
                    .annotate(balance=Sum("amount")).exclude(balance=0))
        for row in balances:
            problems.append(_("Your company %(name)s has an unsettled balance of %(money)s.") % {
                "name": company.legal_name, "money": Money(-row["balance"], row["currency"])})
        open_cases = ClearanceCase.objects.filter(company_id=company.pk).exclude(status__in=CASES_DONE).count()
        if open_cases:
            problems.append(_("Your company %(name)s has %(count)s open customs case(s).") % {
                "name": company.legal_name, "count": open_cases})
    return problems
