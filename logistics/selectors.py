"""Logistics reads: the cached rate book, rate shopping, shipments."""

from __future__ import annotations

from decimal import Decimal

from accounts.selectors import company_of
from ewtp.cache import process_cache
from ewtp.exceptions import ApplicationError, NotFound
from ewtp.fx import fx_table
from ewtp.trade import Commodity, Parcel
from logistics.domain.rates import RateBook, RateOption, RateRequest, ShopResult, shop
from logistics.models import RateBookVersion, Shipment


@process_cache()
def rate_book() -> RateBook:
    """The newest loaded rate book, parsed once per process (the loader calls `rate_book.cache_clear()`;
    other processes pick up a newer book when they restart, like the tariff book)."""
    version = RateBookVersion.objects.order_by("-loaded_at", "-id").first()
    if version is None:
        raise ApplicationError("No rate book is loaded; run load_reference_data.", code="no_rate_book")
    return RateBook.from_dict(version.data)


def _parcels(parcels: list[dict]) -> list[Parcel]:
    return [Parcel(weight_kg=Decimal(str(p["weight_kg"])), length_cm=_dim(p.get("length_cm")),
                   width_cm=_dim(p.get("width_cm")), height_cm=_dim(p.get("height_cm"))) for p in parcels]


def _dim(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def rate_shop(*, origin: str, destination: str, parcels: list[dict], goods: list[dict], sort: str = "price",
              fx=None, currency: str | None = None, live: bool = False) -> ShopResult:
    """Every option for the shipment, priced from the rate cards. `live=True` (the seller's booking page)
    asks the connected carriers for their own price too, when the carrier adapter can (KarrioCarrier)."""
    request = RateRequest(origin=origin, destination=destination, parcels=_parcels(parcels),
                          goods=[Commodity(hs_code=g["hs_code"], description=g.get("description", ""),
                                           unit_value=g["value"]) for g in goods])
    result = shop(rate_book(), request, sort=sort, fx=fx or fx_table(), currency=currency)
    if live:
        from logistics.services import carrier_adapter

        adapter = carrier_adapter()
        if hasattr(adapter, "with_live_rates"):
            result = adapter.with_live_rates(result, request)
    return result


def cheapest_option(*, origin: str, destination: str, parcels: list[dict], goods: list[dict]) -> RateOption | None:
    options = rate_shop(origin=origin, destination=destination, parcels=parcels, goods=goods).options
    return options[0] if options else None


def shipment_rebookable(shipment: Shipment) -> bool:
    """Whether the seller may book the shipment again: the carrier refused it, or the seller
    cancelled it before pickup. Goods customs rejected never are (the buyer has been refunded)."""
    from customs.selectors import case_rejected

    if shipment.status == Shipment.Status.BOOKING_FAILED:
        return True
    return shipment.status == Shipment.Status.CANCELLED and not case_rejected(shipment.order_reference)


def shipment_for_order(reference: str) -> Shipment | None:
    shipment = Shipment.objects.filter(order_reference=reference).prefetch_related("events").first()
    if shipment:
        shipment.timeline = shipment_timeline(shipment)
    return shipment


def return_shipment_for_order(reference: str) -> Shipment | None:
    """The shipment taking the order's goods back to its seller, if one was made."""
    from logistics.models import RETURN_PREFIX

    return shipment_for_order(f"{RETURN_PREFIX}{reference}")


def shipment_timeline(shipment: Shipment) -> list[dict]:
    """The tracking events newest first, labelled in the active language (for timeline.html)."""
    from django.utils.translation import gettext

    from logistics.domain.tracking import LABELS

    return [{"code": e.code, "label": gettext(LABELS.get(e.code, e.code)), "time": e.occurred_at,
             "location": e.location, "note": e.description, "source": e.source}
            for e in reversed(list(shipment.events.all()))]


def shipment_role(shipment: Shipment, user) -> str | None:
    """"seller" for a member of the shipping company, "buyer" for the order's buyer, else None."""
    if not getattr(user, "is_authenticated", False):
        return None
    company = company_of(user)
    if company is not None and company.pk == shipment.company_id:
        return "seller"
    if user.pk == shipment.buyer_id:
        return "buyer"
    return None


def shipment_get_for_user(*, shipment_id: int, user, seller_only: bool = False) -> tuple[Shipment, str]:
    """The shipment and the user's role in it; NotFound (404, never 403: others must not learn
    that it exists) unless the user sells it or, when allowed, bought it."""
    shipment = Shipment.objects.filter(pk=shipment_id).prefetch_related("parcels", "events").first()
    role = shipment_role(shipment, user) if shipment else None
    if role is None or (seller_only and role != "seller"):
        raise NotFound("No such shipment.")
    return shipment, role


def shipments_for_user(user):
    """The shipments a user sells (their company's) or bought, newest first."""
    from django.db.models import Q

    if not getattr(user, "is_authenticated", False):
        return Shipment.objects.none()
    company = company_of(user)
    condition = Q(buyer_id=user.pk)
    if company is not None:
        condition |= Q(company_id=company.pk)
    return Shipment.objects.filter(condition).prefetch_related("parcels")


def shipments_in_flight() -> list[int]:
    return list(Shipment.objects.filter(
        status__in=[Shipment.Status.BOOKED, Shipment.Status.IN_TRANSIT, Shipment.Status.CUSTOMS_HOLD],
    ).values_list("pk", flat=True)[:1000])

