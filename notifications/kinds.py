"""The kinds of notification, one entry each: the signal it follows, who receives it and where their link
leads, and what its templates are told. The receivers, the inbox, the preferences page and the email all
come from this registry.

Adding a kind is one entry here plus its two templates:

1. a function decorated with `@kind("dispute_opened", label=_("Dispute opened"), signal=dispute_opened)`
   that takes the signal's kwargs and returns the `Event`s of that kind (none when the signal is about
   something else): `Event(key, recipients={user_id: link}, context={...})`. `key` names the occurrence
   ("dispute_opened:<id>"): sent twice, it is recorded and emailed once per recipient. `context` holds
   strings and numbers (a {"en": ..., "zh-hans": ...} value is read in the recipient's language);
2. `templates/notifications/email/<key>.subject.txt` and `<key>.txt`, written with {% translate %} /
   {% blocktranslate %} over the context's names, and their Chinese in locale/zh_Hans/LC_MESSAGES/django.po.

The app that owns the event sends its signal, inside the deciding transaction or after it commits
(`transaction.on_commit(..., robust=True)`), and never imports this one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.dispatch import Signal
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.signals import company_rejected, company_verified
from conversations.signals import message_posted
from customs.signals import clearance_decided, clearance_held, documents_requested
from disputes.signals import dispute_answered, dispute_decided, dispute_opened
from logistics.signals import shipment_status_changed
from marketplace.signals import (
    checkout_held,
    checkout_hold_cleared,
    checkout_hold_refused,
    order_placed,
    rfq_changed,
)
from payments.signals import payment_succeeded, payout_made

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    key: str  # the occurrence, unique per recipient: "order_paid:ORD-12"
    recipients: dict[int, str]  # user id → the link that user follows (a path of this site)
    context: dict = field(default_factory=dict)  # what the templates say


@dataclass(frozen=True)
class Kind:
    key: str
    label: str  # on the preferences page and the inbox filter
    signal: Signal
    events: Callable[..., Iterable[Event]]

    @property
    def subject_template(self) -> str:
        return f"notifications/email/{self.key}.subject.txt"

    @property
    def body_template(self) -> str:
        return f"notifications/email/{self.key}.txt"


KINDS: dict[str, Kind] = {}


def kind(key: str, *, label, signal: Signal):
    """Register the decorated function as the events of kind `key` (module docstring)."""
    def register(function):
        if key in KINDS:
            raise ValueError(f"The notification kind {key!r} is registered twice.")
        KINDS[key] = Kind(key=key, label=label, signal=signal, events=function)
        return function
    return register


def connect_receivers() -> None:
    """One receiver per signal, telling each of its kinds in turn (NotificationsConfig.ready)."""
    signals: dict[int, tuple[Signal, list[Kind]]] = {}
    for entry in KINDS.values():
        signals.setdefault(id(entry.signal), (entry.signal, []))[1].append(entry)
    for signal, entries in signals.values():
        signal.connect(_receiver(entries), weak=False, dispatch_uid=f"notifications.{entries[0].key}")


def _receiver(entries: list[Kind]):
    def receive(sender, **kwargs):
        for entry in entries:
            tell(entry, kwargs)
    return receive


def tell(entry: Kind, kwargs: dict) -> int:
    """Record the kind's events for the signal just sent. A notification never undoes what it tells of: it
    runs in a savepoint, and its failure, whatever it is, is logged and rolled back alone (the order is
    still paid, the case still decided)."""
    from notifications.services import notify_events

    made = 0
    try:
        with transaction.atomic():
            events = [(event.key, event.recipients, event.context) for event in entry.events(**kwargs) or ()]
            if events:
                made = len(notify_events(kind=entry.key, events=events))
    except Exception:  # noqa: BLE001  (any failure of a side effect must leave the business transaction alone)
        logger.exception("Notification %s failed; the event it tells of stands.", entry.key)
        return 0
    return made


# --- who and where --------------------------------------------------------------------------------

def _members(company_id: int | None) -> list[int]:
    return _members_of([company_id]).get(company_id, [])


def _members_of(company_ids) -> dict[int, list[int]]:
    """The user ids of each company's members, in one query."""
    from accounts.models import CompanyMember

    members: dict[int, list[int]] = {}
    for company_id, user_id in CompanyMember.objects.filter(company_id__in=[c for c in company_ids if c]).values_list(
            "company_id", "user_id"):
        members.setdefault(company_id, []).append(user_id)
    return members


def _to(user_ids: Iterable[int], link: str) -> dict[int, str]:
    return {user_id: link for user_id in user_ids}


def _order_link(reference: str) -> str:
    from marketplace.domain.references import MalformedReference, parse_order_reference

    try:
        return reverse("marketplace:order_detail", args=[parse_order_reference(reference)])
    except MalformedReference:
        return ""


def _order_context(order) -> dict:
    return {"reference": order.reference, "total": str(order.total), "seller": order.company.legal_name,
            "buyer": order.buyer.display_name}


def _bilingual(english: str, chinese: str) -> dict:
    return {"en": english, "zh-hans": chinese or english}


# --- orders ---------------------------------------------------------------------------------------

@kind("order_placed", label=_("Order placed"), signal=order_placed)
def _order_placed(*, order, **kwargs):
    link = reverse("marketplace:order_detail", args=[order.pk])
    yield Event(f"order_placed:{order.reference}", {order.buyer_id: link} | _to(_members(order.company_id), link),
                _order_context(order))


@kind("order_paid", label=_("Order paid"), signal=payment_succeeded)
def _order_paid(*, payment, **kwargs):
    from marketplace.domain.references import MalformedReference, parse_order_reference
    from marketplace.models import Order

    ids = []
    for reference in payment.allocations.values_list("reference", flat=True):
        try:
            ids.append(parse_order_reference(reference))
        except MalformedReference:
            continue  # not a marketplace order
    orders = list(Order.objects.select_related("company", "buyer").filter(pk__in=ids).order_by("pk"))
    members = _members_of({order.company_id for order in orders})
    for order in orders:
        link = reverse("marketplace:order_detail", args=[order.pk])
        yield Event(f"order_paid:{order.reference}",
                    {order.buyer_id: link} | _to(members.get(order.company_id, []), link), _order_context(order))


# --- customs --------------------------------------------------------------------------------------

@kind("clearance_held", label=_("Shipment held by customs"), signal=clearance_held)
def _clearance_held(*, case, **kwargs):
    held = case.held_at.isoformat() if case.held_at else case.status
    yield Event(f"clearance_held:{case.pk}:{held}", _to(_members(case.company_id), reverse("customs:my_cases")),
                {"reference": case.shipment_reference, "queried": case.status == "queried"})


@kind("documents_requested", label=_("Documents requested by customs"), signal=documents_requested)
def _documents_requested(*, request, **kwargs):
    case = request.case
    yield Event(f"documents_requested:{request.pk}", _to(_members(case.company_id), reverse("customs:my_cases")),
                {"reference": case.shipment_reference, "message": request.message})


@kind("clearance_cleared", label=_("Cleared by customs"), signal=clearance_decided)
def _clearance_cleared(*, case, released, reason="", **kwargs):
    if released:
        link = _order_link(case.shipment_reference)
        yield Event(f"clearance_cleared:{case.pk}", {case.buyer_id: link} | _to(_members(case.company_id), link),
                    {"reference": case.shipment_reference})


@kind("clearance_rejected", label=_("Rejected by customs"), signal=clearance_decided)
def _clearance_rejected(*, case, released, reason="", **kwargs):
    if not released:
        link = _order_link(case.shipment_reference)
        yield Event(f"clearance_rejected:{case.pk}", {case.buyer_id: link} | _to(_members(case.company_id), link),
                    {"reference": case.shipment_reference, "reason": reason[:500]})


# --- requests for quotation -----------------------------------------------------------------------

def _rfq_context(rfq) -> dict:
    listing = rfq.listing
    return {"rfq": rfq.pk, "title": _bilingual(listing.title_en, listing.title_zh), "quantity": rfq.quantity,
            "buyer": rfq.buyer.display_name, "seller": listing.company.legal_name}


@kind("rfq_requested", label=_("Quotation requested"), signal=rfq_changed)
def _rfq_requested(*, rfq, **kwargs):
    if rfq.status == "open":
        yield Event(f"rfq_requested:{rfq.pk}", _to(_members(rfq.listing.company_id),
                                                   reverse("marketplace:rfq_answer", args=[rfq.pk])),
                    _rfq_context(rfq))


@kind("rfq_quoted", label=_("Quotation received"), signal=rfq_changed)
def _rfq_quoted(*, rfq, **kwargs):
    from marketplace.models import Quotation

    quotation = Quotation.objects.filter(rfq=rfq).first()
    if rfq.status == "quoted" and quotation is not None:
        yield Event(f"rfq_quoted:{rfq.pk}", {rfq.buyer_id: reverse("marketplace:rfq_list")},
                    _rfq_context(rfq) | {"unit_price": str(quotation.unit_price),
                                         "valid_until": quotation.valid_until.date().isoformat()})


@kind("rfq_declined", label=_("Quotation declined"), signal=rfq_changed)
def _rfq_declined(*, rfq, **kwargs):
    if rfq.status == "declined":
        yield Event(f"rfq_declined:{rfq.pk}", {rfq.buyer_id: reverse("marketplace:rfq_list")}, _rfq_context(rfq))


@kind("rfq_accepted", label=_("Quotation accepted"), signal=rfq_changed)
def _rfq_accepted(*, rfq, **kwargs):
    if rfq.status == "accepted":
        yield Event(f"rfq_accepted:{rfq.pk}", _to(_members(rfq.listing.company_id),
                                                  reverse("marketplace:rfq_answer", args=[rfq.pk])),
                    _rfq_context(rfq))


# --- shipments ------------------------------------------------------------------------------------

def _shipment_event(shipment, status: str, *, buyer: bool, seller: bool, **context) -> Event:
    link = _order_link(shipment.order_reference)
    recipients = ({shipment.buyer_id: link} if buyer else {}) | (_to(_members(shipment.company_id), link)
                                                                   if seller else {})
    return Event(f"shipment_{status}:{shipment.pk}:{shipment.booking_number}", recipients,
                 {"reference": shipment.order_reference, "tracking_number": shipment.tracking_number, **context})


@kind("shipment_booked", label=_("Shipment booked"), signal=shipment_status_changed)
def _shipment_booked(*, shipment, **kwargs):
    if shipment.status == "booked":
        yield _shipment_event(shipment, "booked", buyer=True, seller=True)


@kind("shipment_in_transit", label=_("Shipment on its way"), signal=shipment_status_changed)
def _shipment_in_transit(*, shipment, **kwargs):
    if shipment.status == "in_transit":
        yield _shipment_event(shipment, "in_transit", buyer=True, seller=False)


@kind("shipment_delivered", label=_("Shipment delivered"), signal=shipment_status_changed)
def _shipment_delivered(*, shipment, **kwargs):
    if shipment.status == "delivered":
        yield _shipment_event(shipment, "delivered", buyer=True, seller=True)


@kind("shipment_booking_failed", label=_("Booking failed"), signal=shipment_status_changed)
def _shipment_booking_failed(*, shipment, **kwargs):
    if shipment.status == "booking_failed":
        yield _shipment_event(shipment, "booking_failed", buyer=False, seller=True,
                              reason=(shipment.failure_reason or "")[:300])


# --- money and companies --------------------------------------------------------------------------

@kind("payout_made", label=_("Payout made"), signal=payout_made)
def _payout_made(*, payout, **kwargs):
    yield Event(f"payout_made:{payout.pk}", _to(_members(payout.company_id), reverse("marketplace:seller_dashboard")),
                {"reference": payout.reference, "amount": str(payout.total)})


@kind("company_verified", label=_("Company verified"), signal=company_verified)
def _company_verified(*, company, **kwargs):
    when = company.verified_at.isoformat() if company.verified_at else ""
    yield Event(f"company_verified:{company.pk}:{when}", _to(_members(company.pk),
                                                             reverse("marketplace:seller_dashboard")),
                {"company": company.legal_name})


@kind("company_rejected", label=_("Company not verified"), signal=company_rejected)
def _company_rejected(*, company, **kwargs):
    when = company.submitted_at.isoformat() if company.submitted_at else ""
    yield Event(f"company_rejected:{company.pk}:{when}", _to(_members(company.pk),
                                                             reverse("marketplace:company_create")),
                {"company": company.legal_name, "reason": company.verification_reason})


# --- disputes -------------------------------------------------------------------------------------

def _in_both(text) -> dict:
    """A lazily translated label (a choice's), as each recipient's language reads it."""
    readings = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            readings[language] = str(text)
    return readings


def _dispute_context(dispute) -> dict:
    return {"reference": dispute.order_reference, "reason": _in_both(dispute.get_reason_display()),
            "status": _in_both(dispute.get_status_display())}


@kind("dispute_opened", label=_("Dispute opened"), signal=dispute_opened)
def _dispute_opened(*, dispute, **kwargs):
    link = reverse("disputes:detail", args=[dispute.pk])
    yield Event(f"dispute_opened:{dispute.pk}:{dispute.created_at.isoformat()}", _to(_members(dispute.company_id), link),
                _dispute_context(dispute) | {"deadline": dispute.seller_deadline.date().isoformat()})


@kind("dispute_answered", label=_("Dispute answered by the seller"), signal=dispute_answered)
def _dispute_answered(*, dispute, **kwargs):
    when = dispute.answered_at.isoformat() if dispute.answered_at else ""
    yield Event(f"dispute_answered:{dispute.pk}:{when}", {dispute.buyer_id: reverse("disputes:detail", args=[dispute.pk])},
                _dispute_context(dispute))


@kind("dispute_decided", label=_("Dispute decided"), signal=dispute_decided)
def _dispute_decided(*, dispute, **kwargs):
    link = reverse("disputes:detail", args=[dispute.pk])
    yield Event(f"dispute_decided:{dispute.pk}:{dispute.status}", {dispute.buyer_id: link} | _to(
        _members(dispute.company_id), link), _dispute_context(dispute) | {"refunded": str(dispute.refunded or "")})


# --- compliance holds of checkouts ----------------------------------------------------------------

def _hold_event(key: str, hold, reference: str, buyer_id: int) -> Event:
    return Event(f"{key}:{hold.pk}", {buyer_id: reverse("marketplace:checkout", args=[reference])},
                 {"reference": reference})


@kind("checkout_held", label=_("Checkout held for a compliance review"), signal=checkout_held)
def _checkout_held(*, hold, reference, buyer_id, **kwargs):
    yield _hold_event("checkout_held", hold, reference, buyer_id)


@kind("checkout_hold_cleared", label=_("Checkout cleared: ready to pay"), signal=checkout_hold_cleared)
def _checkout_hold_cleared(*, hold, reference, buyer_id, **kwargs):
    yield _hold_event("checkout_hold_cleared", hold, reference, buyer_id)


@kind("checkout_hold_refused", label=_("Checkout refused"), signal=checkout_hold_refused)
def _checkout_hold_refused(*, hold, reference, buyer_id, **kwargs):
    yield _hold_event("checkout_hold_refused", hold, reference, buyer_id)


# --- messages -------------------------------------------------------------------------------------

@kind("message_posted", label=_("New message"), signal=message_posted)
def _message_posted(*, message_id, thread_id, author_id, recipient_ids, **kwargs):
    from conversations.models import Message

    message = Message.objects.select_related("thread", "author").get(pk=message_id)
    thread = message.thread
    if thread.kind == "order":
        link, about = reverse("conversations:order_thread", args=[thread.order_id]), thread.order.reference
    else:
        link, about = reverse("conversations:rfq_thread", args=[thread.rfq_id]), f"RFQ {thread.rfq_id}"
    yield Event(f"message_posted:{message_id}", _to(recipient_ids, link),
                {"about": about, "author": message.author.display_name, "excerpt": message.body[:300]})
