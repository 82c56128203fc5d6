"""Logistics writes: shipments, booking through the carrier adapter, tracking, documents."""

from __future__ import annotations

import json
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ewtp import trade
from ewtp.exceptions import ApplicationError, Conflict, NotFound
from ewtp.fx import fx_table
from ewtp.money import Money
from ewtp.providers import provider
from logistics.domain.rates import DATA_FILES, DEFAULT_DATA_DIR, RateOption, check_parcels, quote
from logistics.domain.states import SHIPMENT
from logistics.domain.tracking import CUSTOMS_CODES, TrackingCode, is_known, sort_events
from logistics.domain.tracking import TrackingEvent as CarrierEvent
from logistics.integrations.base import BookingRequest, CarrierAdapter, CarrierError
from logistics.models import Parcel, RateBookVersion, Shipment, TrackingEvent
from logistics.selectors import _parcels, rate_book, shipment_rebookable
from logistics.signals import shipment_status_changed

# Which shipment status each carrier event puts the parcel in.
STATUS_AFTER_EVENT = {
    TrackingCode.PICKED_UP: Shipment.Status.IN_TRANSIT,
    TrackingCode.ARRIVED_AT_HUB: Shipment.Status.IN_TRANSIT,
    TrackingCode.DEPARTED_HUB: Shipment.Status.IN_TRANSIT,
    TrackingCode.ARRIVED_IN_DESTINATION: Shipment.Status.IN_TRANSIT,
    TrackingCode.HELD_BY_CUSTOMS: Shipment.Status.CUSTOMS_HOLD,
    TrackingCode.RELEASED_BY_CUSTOMS: Shipment.Status.IN_TRANSIT,
    TrackingCode.OUT_FOR_DELIVERY: Shipment.Status.IN_TRANSIT,
    TrackingCode.DELIVERED: Shipment.Status.DELIVERED,
}


def carrier_adapter() -> CarrierAdapter:
    """The carrier behind every service, named by settings.CARRIER_ADAPTER: "simulated" (the
    offline simulator, the default) or the dotted path of a `CarrierAdapter` class built with
    no arguments (it reads its own settings)."""
    return provider("CARRIER_ADAPTER", default="simulated", builtin={"simulated": _simulated_carrier},
                    interface=CarrierAdapter)


def _simulated_carrier() -> CarrierAdapter:
    from logistics.integrations.simulated import SimulatedCarrier

    return SimulatedCarrier(rate_book(), seconds_per_step=settings.CARRIER_SIM_SECONDS_PER_STEP, fx=fx_table())


def _set_status(shipment: Shipment, target: str) -> None:
    if shipment.status == target:
        return
    SHIPMENT.check(shipment.status, target)
    shipment.status = target
    shipment.save(update_fields=["status", "updated_at", "tracking_number", "carrier_reference", "booked_at",
                                 "booking_number", "failure_reason", "delivered_at", "customs_released_at"])
    shipment_status_changed.send(sender=Shipment, shipment=shipment)


def _event(shipment: Shipment, code: str, *, at=None, location: str = "", description: str = "",
           source: str = "platform") -> None:
    TrackingEvent.objects.get_or_create(shipment=shipment, code=code, occurred_at=at or timezone.now(),
                                        defaults={"location": location, "description": description[:300],
                                                  "source": source})


def shipment_create_and_book(*, order_reference: str, company_id: int, buyer_id: int, service_code: str,
                             incoterm: str, sender: dict, recipient: dict, goods: list[dict], parcels: list[dict],
                             paid_duties: dict | None = None, freight: dict | None = None) -> Shipment:
    """Create the shipment of an order (once) and enqueue its booking. Booking twice returns
    the first shipment and enqueues nothing.
    Nonsense parcels (0 kg, a side missing or of 40 m) raise ApplicationError at the field."""
    from logistics.tasks import shipment_book

    checked = _parcels(parcels)
    check_parcels(checked)
    with transaction.atomic():
        existing = Shipment.objects.select_for_update().filter(order_reference=order_reference).first()
        if existing and existing.status == Shipment.Status.CANCELLED and shipment_rebookable(existing):
            # the seller cancelled the booking before pickup and books the order again
            return shipment_rebook(shipment_id=existing.pk, company_id=company_id, service_code=service_code,
                                   parcels=parcels)
        if existing:
            return existing
        shipment = Shipment.objects.create(
            order_reference=order_reference, company_id=company_id, service_code=service_code, incoterm=incoterm,
            origin_country=sender["country"], destination_country=recipient["country"], sender=sender,
            recipient=recipient, goods=goods, status=Shipment.Status.BOOKING, buyer_id=buyer_id,
            paid_duties=paid_duties, freight=freight,
        )
        _store_parcels(shipment, checked)
        transaction.on_commit(lambda: shipment_book.delay(shipment.pk))
    return shipment


def return_shipment_create(*, order_reference: str) -> Shipment:
    """A seller-bound return of the order's goods: the outbound shipment reversed (the buyer sends, the
    seller receives), its parcels and goods, on the cheapest service of the reverse lane; booked on a worker,
    after which its label is printable (`shipment_document`). Once per order: asking again returns it."""
    from logistics.models import RETURN_PREFIX
    from logistics.selectors import cheapest_option
    from logistics.tasks import shipment_book

    with transaction.atomic():
        outbound = Shipment.objects.select_for_update().filter(order_reference=order_reference).first()
        if outbound is None or not outbound.tracking_number:
            raise Conflict("Nothing was shipped for this order, so nothing can be sent back.", code="not_shipped",
                           field="outcome")
        existing = Shipment.objects.filter(order_reference=f"{RETURN_PREFIX}{order_reference}").first()
        if existing:
            return existing
        parcels = [{"weight_kg": p.weight_kg, "length_cm": p.length_cm, "width_cm": p.width_cm,
                    "height_cm": p.height_cm} for p in outbound.parcels.all()]
        goods = [{"hs_code": line["hs_code"], "description": line.get("description", ""),
                  "value": Money(Decimal(str(line["unit_value"])) * int(line.get("quantity", 1)),
                                 line["currency"]).rounded()} for line in outbound.goods]
        option = cheapest_option(origin=outbound.destination_country, destination=outbound.origin_country,
                                 parcels=parcels, goods=goods)
        if option is None:
            raise Conflict("No carrier takes these parcels back to the seller's country.", code="no_return_service",
                           field="outcome")
        shipment = Shipment.objects.create(
            order_reference=f"{RETURN_PREFIX}{order_reference}", company_id=outbound.company_id,
            buyer_id=outbound.buyer_id, service_code=option.code, incoterm="DAP",
            origin_country=outbound.destination_country, destination_country=outbound.origin_country,
            sender=outbound.recipient, recipient={**outbound.sender, "email": ""}, goods=outbound.goods,
            status=Shipment.Status.BOOKING)
        _store_parcels(shipment, _parcels(parcels))
        transaction.on_commit(lambda: shipment_book.delay(shipment.pk))
    return shipment


def _store_parcels(shipment: Shipment, checked) -> None:
    shipment.parcels.all().delete()
    Parcel.objects.bulk_create(Parcel(shipment=shipment, weight_kg=p.weight_kg, length_cm=p.length_cm,
                                      width_cm=p.width_cm, height_cm=p.height_cm) for p in checked)


def shipment_rebook(*, shipment_id: int, company_id: int, service_code: str,
                    parcels: list[dict] | None = None) -> Shipment:
    """The seller's choice of service (and parcels) for a shipment the carrier has not booked yet:
    one still waiting for the worker (it books the new choice), one whose booking failed, or one
    the seller cancelled before pickup (both booked again, on a worker, under a new tracking
    number). Refused for a live booking: nothing is booked twice."""
    from logistics.tasks import shipment_book

    with transaction.atomic():
        shipment = Shipment.objects.select_for_update().filter(pk=shipment_id, company_id=company_id).first()
        if shipment is None:
            raise NotFound("No such shipment.")
        waiting = shipment.status == Shipment.Status.BOOKING and not shipment.tracking_number
        if not (waiting or shipment_rebookable(shipment)):
            raise Conflict("This shipment is already booked (or customs refused it); it cannot be booked again.",
                           code="already_booked")
        checked = _parcels(parcels) if parcels is not None else _stored_parcels(shipment)
        check_parcels(checked)
        shipment.service_code = service_code
        quote_shipment(shipment, parcels=checked)  # the chosen service must carry these parcels and goods
        shipment.save(update_fields=["service_code", "updated_at"])
        if parcels is not None:
            _store_parcels(shipment, checked)
        if shipment.status == Shipment.Status.CANCELLED:  # a new booking under a new key and tracking number
            shipment.tracking_number, shipment.carrier_reference, shipment.booked_at = "", "", None
            shipment.booking_number += 1
        if shipment.status in (Shipment.Status.BOOKING_FAILED, Shipment.Status.CANCELLED):
            shipment.failure_reason = ""
            _set_status(shipment, Shipment.Status.BOOKING)
            transaction.on_commit(lambda: shipment_book.delay(shipment.pk))
    return shipment


def _stored_parcels(shipment: Shipment):
    return _parcels([{"weight_kg": p.weight_kg, "length_cm": p.length_cm, "width_cm": p.width_cm,
                      "height_cm": p.height_cm} for p in shipment.parcels.all()])


def _booking_request(shipment: Shipment, parcels=None) -> BookingRequest:
    consignment = _consignment(shipment)
    return BookingRequest(
        reference=shipment.booking_key, service_code=shipment.service_code,
        origin=shipment.origin_country, destination=shipment.destination_country,
        parcels=parcels if parcels is not None else _stored_parcels(shipment),
        goods=consignment.commodities, shipper=consignment.shipper, recipient=consignment.consignee,
        incoterm=shipment.incoterm,
    )


def _consignment(shipment: Shipment) -> trade.Consignment:
    """The shipment's stored parties, goods and money read through the trade codec (no parcels)."""
    goods = tuple(trade.Commodity.from_json(line, field=f"goods[{index}]")
                  for index, line in enumerate(shipment.goods))
    return trade.Consignment(
        shipper=trade.Party.from_json(shipment.sender, field="sender"),
        consignee=trade.Party.from_json(shipment.recipient, field="recipient"),
        commodities=goods, currency=goods[0].unit_value.currency if goods else "EUR", incoterm=shipment.incoterm,
        # the transport the buyer paid: customs value includes it on CIF destinations, as the quote did
        freight=trade.money_from_json(shipment.freight, field="freight"),
        paid_duties=trade.money_from_json(shipment.paid_duties, field="paid_duties"),
        tracking_number=shipment.tracking_number, service_code=shipment.service_code,
    )


def quote_shipment(shipment: Shipment, *, parcels=None) -> RateOption:
    """The price and days of the shipment's service for its parcels, in the goods' currency.
    Raises ApplicationError(field="service_code") when the service cannot carry it."""
    currency = shipment.goods[0]["currency"] if shipment.goods else None
    return quote(rate_book(), _booking_request(shipment, parcels).rate_request(), shipment.service_code,
                 fx=fx_table(), currency=currency)


def shipment_book(*, shipment_id: int) -> Shipment | None:
    """Book with the carrier (worker side). Idempotent: a booked shipment is left as it is."""
    from customs.services import case_open

    with transaction.atomic():
        shipment = Shipment.objects.select_for_update().filter(pk=shipment_id).first()
        if shipment is None or shipment.status != Shipment.Status.BOOKING:
            return shipment
        request = _booking_request(shipment)
        result = carrier_adapter().book(request)  # raises CarrierError: the task retries or gives up
        shipment.tracking_number = result.tracking_number
        shipment.carrier_reference = result.carrier_reference
        shipment.booked_at = timezone.now()
        _set_status(shipment, Shipment.Status.BOOKED)
        _event(shipment, TrackingCode.LABEL_CREATED, at=shipment.booked_at, description="Label created.")
        if shipment.is_return:
            # Goods going back to their exporter: no clearance case of ours (the carrier declares them as
            # returned goods at the seller's border), so nothing holds the parcel on its way.
            shipment.customs_released_at = shipment.booked_at
            shipment.save(update_fields=["customs_released_at", "updated_at"])
            return shipment
        case_open(shipment_reference=shipment.order_reference, company_id=shipment.company_id,
                  buyer_id=shipment.buyer_id, destination=shipment.destination_country,
                  declaration=_declaration(shipment))
    return shipment


def _declaration(shipment: Shipment) -> dict:
    """The customs declaration, in the version customs reads (see ewtp.trade)."""
    return _consignment(shipment).to_json(version=0)


def shipment_booking_failed(*, shipment_id: int, reason: str) -> None:
    with transaction.atomic():
        shipment = Shipment.objects.select_for_update().filter(pk=shipment_id).first()
        if shipment and shipment.status == Shipment.Status.BOOKING:
            shipment.failure_reason = reason[:500]
            _set_status(shipment, Shipment.Status.BOOKING_FAILED)


def shipment_track(*, shipment_id: int) -> Shipment | None:
    """Ask the carrier for events, store the new ones in time order, move the status on."""
    with transaction.atomic():
        shipment = Shipment.objects.select_for_update().filter(pk=shipment_id).first()
        if shipment is None or not shipment.booked_at or shipment.status in ("delivered", "cancelled"):
            return shipment
        _apply_events(shipment, _carrier_events(shipment))
    return shipment


def _carrier_events(shipment: Shipment) -> list[CarrierEvent]:
    due = {}
    if shipment.incoterm == "DAP" and shipment.customs_released_at is not None:
        from customs.selectors import case_duties_due

        owed = case_duties_due(shipment.order_reference)
        due = {"duties_due": owed} if owed is not None else {}
    return carrier_adapter().track(shipment.tracking_number, booked_at=shipment.booked_at, now=timezone.now(),
                                   customs_released_at=shipment.customs_released_at, **due)


# Events that only happen after customs let the goods go: a carrier reporting them earlier is recorded, not obeyed.
AFTER_CUSTOMS = frozenset({TrackingCode.OUT_FOR_DELIVERY, TrackingCode.DELIVERED})
NOT_APPLIED = " (not applied: customs has not released the goods)"


def _apply_events(shipment: Shipment, events, *, carrier: str = "") -> int:
    """Store the carrier's events not stored yet (an event is its code at its time: a repeat is
    ignored), then set the status from the latest event by time, so that an event arriving late
    takes its place in the timeline without moving the parcel backwards. Returns how many were new.

    A carrier cannot overrule customs: while the clearance case is undecided, an out-for-delivery
    or delivered event is stored (marked not applied) but moves nothing, and the case is flagged
    for staff (`carrier_conflict`); goods customs holds stay held."""
    gated = shipment.customs_released_at is None and _customs_undecided(shipment)
    new, conflicting = 0, []
    for event in sort_events(events):
        if event.code == TrackingCode.LABEL_CREATED and shipment.events.filter(code=event.code).exists():
            continue  # our booking already wrote it; the carrier's clock may differ from ours by a little
        description = event.description[:300]
        if gated and event.code in AFTER_CUSTOMS:
            description = description[:300 - len(NOT_APPLIED)] + NOT_APPLIED
        row, created = TrackingEvent.objects.get_or_create(
            shipment=shipment, code=event.code, occurred_at=event.occurred_at,
            defaults={"location": event.location[:120], "description": description, "source": "carrier"})
        new += created
        if created and gated and event.code in AFTER_CUSTOMS:
            conflicting.append(row)
        elif created and event.code == TrackingCode.DELIVERED and event.duties_collected is not None \
                and shipment.incoterm == "DAP":
            from logistics.signals import shipment_duties_collected

            shipment_duties_collected.send(sender=Shipment, shipment=shipment, amount=event.duties_collected,
                                           carrier=carrier or _carrier_of(shipment))
    codes = [code for code in STATUS_AFTER_EVENT if not (gated and code in AFTER_CUSTOMS)]
    latest = shipment.events.filter(code__in=codes).order_by("-occurred_at", "-id").first()
    target = STATUS_AFTER_EVENT.get(latest.code) if latest else None
    holding = gated and _customs_holding(shipment)
    if holding and (conflicting or (latest and latest.code == TrackingCode.ARRIVED_IN_DESTINATION)):
        # The goods are at (or past) the border and customs holds them for a person.
        if not (latest and latest.code == TrackingCode.HELD_BY_CUSTOMS):
            _event(shipment, TrackingCode.HELD_BY_CUSTOMS, description="Held by customs for review.",
                   source="customs")
        target = Shipment.Status.CUSTOMS_HOLD
    for row in conflicting:
        _flag_conflict(shipment, row, carrier=carrier or _carrier_of(shipment))
    if target == Shipment.Status.DELIVERED and shipment.delivered_at is None:
        shipment.delivered_at = latest.occurred_at
    if target and SHIPMENT.can(shipment.status, target):
        _set_status(shipment, target)
    return new


def _customs_undecided(shipment: Shipment) -> bool:
    from customs.selectors import case_undecided

    return case_undecided(shipment.order_reference)


def _flag_conflict(shipment: Shipment, row: TrackingEvent, *, carrier: str) -> None:
    from customs.services import case_flag_carrier_conflict

    case_flag_carrier_conflict(reference=shipment.order_reference, carrier=carrier, code=row.code,
                               occurred_at=row.occurred_at, location=row.location)


def shipment_carrier_push(*, carrier: str, tracking_number: str, events: list[dict]) -> int:
    """Events a carrier pushed to our webhook (its signature already checked). Duplicates are
    ignored, late events land in place by their time; customs events come from our clearance
    pipeline, never from a carrier. Returns how many events were new. All or nothing."""
    from datetime import datetime

    parsed = []
    for index, raw in enumerate(events):
        code = raw.get("code") if isinstance(raw, dict) else None
        if not isinstance(code, str) or not is_known(code):
            raise ApplicationError(f"Unknown tracking event code {code!r}.", code="unknown_event",
                                   field=f"events[{index}].code")
        if code in CUSTOMS_CODES:
            raise ApplicationError("Customs events come from the clearance pipeline, not from carriers.",
                                   code="customs_event", field=f"events[{index}].code")
        try:
            occurred_at = datetime.fromisoformat(str(raw.get("occurred_at", "")).replace("Z", "+00:00"))
        except ValueError:
            occurred_at = None
        if occurred_at is None or occurred_at.tzinfo is None:
            raise ApplicationError("occurred_at must be an ISO 8601 time with its offset.", code="invalid_time",
                                   field=f"events[{index}].occurred_at")
        collected = None
        if code == TrackingCode.DELIVERED and raw.get("duties_collected") is not None:
            try:
                collected = trade.money_from_json(raw["duties_collected"], field=f"events[{index}].duties_collected")
            except trade.PayloadError as exc:
                raise ApplicationError(f"duties_collected: {exc}", code="invalid_amount",
                                       field=f"events[{index}].duties_collected") from exc
            if collected is not None and collected.amount < 0:
                raise ApplicationError("A carrier cannot collect less than nothing.", code="invalid_amount",
                                       field=f"events[{index}].duties_collected")
        parsed.append(CarrierEvent(code=code, occurred_at=occurred_at, location=str(raw.get("location", "")),
                                    description=str(raw.get("description", "")), duties_collected=collected))
    with transaction.atomic():
        shipment = Shipment.objects.select_for_update().filter(tracking_number=tracking_number).exclude(
            tracking_number="").first()
        if shipment is None or _carrier_of(shipment) != carrier:
            raise NotFound("No shipment of this carrier has that tracking number.", field="tracking_number")
        return _apply_events(shipment, parsed, carrier=carrier)


def _carrier_of(shipment: Shipment) -> str:
    book = rate_book()
    return book.service(shipment.service_code).carrier if book.has_service(shipment.service_code) else ""


PICKED_UP_OR_LATER = frozenset(code for code in STATUS_AFTER_EVENT if code not in CUSTOMS_CODES)


def shipment_cancel(*, shipment_id: int, company_id: int) -> Shipment:
    """The seller cancels before pickup. The carrier's latest events are fetched first: once the
    parcel is picked up it is refused (Conflict "picked_up"). Cancelling twice is a no-op."""
    with transaction.atomic():
        shipment = Shipment.objects.select_for_update().filter(pk=shipment_id, company_id=company_id).first()
        if shipment is None:
            raise NotFound("No such shipment.")
        if shipment.status == Shipment.Status.CANCELLED:
            return shipment
        if shipment.status == Shipment.Status.BOOKING:
            raise Conflict("The carrier is booking this shipment right now; try again in a moment.",
                           code="booking_in_progress")
        if shipment.status == Shipment.Status.BOOKED:
            _apply_events(shipment, _carrier_events(shipment))  # the simulator may have moved since the last poll
        picked_up = shipment.events.filter(code__in=PICKED_UP_OR_LATER).exists()
        if picked_up or shipment.status not in (Shipment.Status.CREATED, Shipment.Status.BOOKED,
                                                Shipment.Status.BOOKING_FAILED):
            raise Conflict("The carrier has picked up the parcel: the booking can no longer be cancelled.",
                           code="picked_up")
        if shipment.tracking_number:
            try:
                carrier_adapter().cancel(shipment.tracking_number)
            except CarrierError as exc:
                raise Conflict(f"The carrier refused to cancel: {exc.reason}", code=exc.code) from exc
            _event(shipment, TrackingCode.EXCEPTION, description="Booking cancelled by the seller before pickup.")
        _set_status(shipment, Shipment.Status.CANCELLED)
    return shipment


def _customs_holding(shipment: Shipment) -> bool:
    from customs.selectors import case_holding

    return case_holding(shipment.order_reference)


def shipment_customs_decided(*, reference: str, released: bool, reason: str = "") -> None:
    """Customs released the goods (the last mile may start) or rejected them (cancelled)."""
    with transaction.atomic():
        shipment = Shipment.objects.select_for_update().filter(order_reference=reference).first()
        if shipment is None:
            return
        if released:
            if shipment.customs_released_at is None:
                shipment.customs_released_at = timezone.now()
                shipment.save(update_fields=["customs_released_at", "updated_at"])
                _event(shipment, TrackingCode.RELEASED_BY_CUSTOMS, at=shipment.customs_released_at,
                       description="Released by customs.", source="customs")
        elif shipment.status != Shipment.Status.CANCELLED:
            _event(shipment, TrackingCode.EXCEPTION, description=f"Rejected by customs: {reason}", source="customs")
            _set_status(shipment, Shipment.Status.CANCELLED)


# --- reference data -------------------------------------------------------------------------

def reference_datasets():
    return [("logistics.rate_book", [DEFAULT_DATA_DIR / f"{name}.json" for name in DATA_FILES], rate_book_store)]


def rate_book_store() -> str:
    import hashlib

    from logistics.domain.rates import RateBook

    data = {name: json.loads((DEFAULT_DATA_DIR / f"{name}.json").read_text(encoding="utf-8")) for name in DATA_FILES}
    book = RateBook.from_dict(data)  # refuse a broken file before storing it
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
    RateBookVersion.objects.get_or_create(checksum=digest, defaults={"data": data, "source": "logistics/data/*.json"})
    rate_book.cache_clear()
    return f"{len(book.services)} services, {len(book.ehubs)} eHubs"


# --- documents ------------------------------------------------------------------------------

DOCUMENT_KINDS = ("label", "customs-declaration", "commercial-invoice")


def _origin_statements(consignment, shipping) -> list[str]:
    """The proof of origin text the invoice carries for each line whose claimed preference customs grants
    (its rule of origin met): the statement on origin with the exporter's reference, or the certification's
    wording where the agreement asks for a signed certification (customs.selectors.granted_preferences)."""
    from customs.selectors import granted_preferences

    lines = [{**commodity.to_json(), "unit_value": str(commodity.unit_value.amount)}
             for commodity in consignment.commodities]
    if not any(line.get("claim_preference") for line in lines):
        return []
    granted = granted_preferences(destination=consignment.consignee.country, lines=lines,
                                  currency=consignment.currency, origin=consignment.origin_country,
                                  shipping=shipping)
    return [f"Line {g['line'] + 1} — {g['name']}: {g['text']}" for g in granted if g["text"]]


def shipment_document(*, shipment: Shipment, kind: str) -> tuple[str, bytes]:
    """The PDF of a booked shipment (made once, then kept in Django's storage): the label, the
    CN22/CN23 customs declaration, or the commercial invoice. Returns (file name, bytes)."""
    from django.core.files.base import ContentFile

    from ewtp.files import private_storage
    from logistics import documents

    if kind not in DOCUMENT_KINDS:
        raise NotFound("No such document.")
    if not shipment.tracking_number:
        raise ApplicationError("The shipment is not booked yet.", code="not_booked")
    if not shipment.printable:  # a dead label on a parcel would strand it
        raise Conflict("This booking is cancelled: book it again for a new label.", code="booking_cancelled")
    consignment = _consignment(shipment)
    currency, lines = consignment.currency, list(consignment.commodities)
    parcels = list(shipment.parcels.all())
    option = quote_shipment(shipment)
    data = documents.ShipmentDocumentData(
        tracking_number=shipment.tracking_number, carrier_name=option.carrier_name, service_name=option.service_name,
        sender=consignment.shipper, recipient=consignment.consignee, incoterm=shipment.incoterm,
        currency=currency, lines=lines,
        parcels=[trade.Parcel(p.weight_kg, p.length_cm, p.width_cm, p.height_cm) for p in parcels],
        invoice_number=f"INV-{shipment.order_reference}", invoice_date=(shipment.booked_at or timezone.now()).date(),
        shipping_cost=option.price.rounded(),
        origin_statements=tuple(_origin_statements(consignment, option.price.rounded())) if kind == "commercial-invoice"
        else (),
    )
    if kind == "customs-declaration":
        sdr_rate = documents.ILLUSTRATIVE_SDR_RATE_2024.get(currency) or fx_table().rate(
            "USD", currency).rate * documents.ILLUSTRATIVE_SDR_RATE_2024["USD"]
        form = documents.customs_form_kind(data.goods_value, sdr_rate, line_count=len(lines))
        name, render = f"{form}-{shipment.tracking_number}.pdf", (
            documents.render_cn22 if form == "CN22" else documents.render_cn23)
    elif kind == "label":
        name, render = f"label-{shipment.tracking_number}.pdf", documents.render_label
    else:
        name, render = f"invoice-{shipment.order_reference}.pdf", documents.render_commercial_invoice
    carrier_pdf = _carrier_document(shipment, kind)
    if carrier_pdf is not None:  # a real carrier made this one: its label (barcode, routing) is the one to print
        name, render = f"carrier-{name}", (lambda _data: carrier_pdf)
    path = f"shipments/{shipment.order_reference}/{shipment.tracking_number}/{name}"  # per booking
    storage = private_storage()  # addresses and values: never under /media/, served by checked views only
    if not storage.exists(path):
        storage.save(path, ContentFile(render(data)))
    with storage.open(path, "rb") as handle:
        return name, handle.read()


def _carrier_document(shipment: Shipment, kind: str) -> bytes | None:
    """The label or commercial invoice the carrier itself made for this booking (karrio adapter), as a PDF."""
    import base64

    from logistics.models import CarrierBooking

    if kind not in ("label", "commercial-invoice"):
        return None
    kept = CarrierBooking.objects.filter(reference=shipment.booking_key,
                                         tracking_number=shipment.tracking_number).first()
    if kept is None:
        return None
    encoded = kept.label if kind == "label" and kept.label_format.upper() == "PDF" else (
        kept.invoice if kind == "commercial-invoice" else "")
    return base64.b64decode(encoded) if encoded else None
