from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy

# A return shipment's reference: the order's, prefixed (one return per order; the order keeps its own shipment).
RETURN_PREFIX = "RET-"


class RateBookVersion(models.Model):
    """The carriers, services, zones, rate cards and eHub routes, as loaded from logistics/data.
    The newest row is the rate book every process caches."""

    checksum = models.CharField(max_length=64, unique=True)
    data = models.JSONField()
    source = models.CharField(max_length=300)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-loaded_at", "-id"]


class Shipment(models.Model):
    """One seller order on its way. The order lives in the marketplace app; we keep its reference
    and a snapshot of what the documents and the declaration need."""

    class Status(models.TextChoices):
        CREATED = "created", pgettext_lazy("status", "Not booked yet")  # waiting for the seller to book
        BOOKING = "booking", pgettext_lazy("status", "Booking")  # booking task enqueued / running
        BOOKED = "booked", pgettext_lazy("status", "Booked")  # carrier answered with a tracking number; label printable
        IN_TRANSIT = "in_transit", pgettext_lazy("status", "In transit")  # picked up, moving
        CUSTOMS_HOLD = "customs_hold", pgettext_lazy("status", "Held by customs")  # waits for an officer
        DELIVERED = "delivered", pgettext_lazy("status", "Delivered")  # at the buyer's door
        BOOKING_FAILED = "booking_failed", pgettext_lazy("status", "Booking failed")  # the carrier refused
        CANCELLED = "cancelled", pgettext_lazy("status", "Cancelled")  # cancelled before pickup, or rejected by customs

    order_reference = models.CharField(max_length=40, unique=True)
    company_id = models.PositiveBigIntegerField(db_index=True)
    buyer_id = models.PositiveBigIntegerField(db_index=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CREATED)
    service_code = models.CharField(max_length=60)
    origin_country = models.CharField(max_length=2)
    destination_country = models.CharField(max_length=2)
    sender = models.JSONField()  # {name, company, lines, city, postcode, country}
    recipient = models.JSONField()
    goods = models.JSONField()  # [{description, hs_code, origin, quantity, unit_value, currency, net_weight_kg}]
    incoterm = models.CharField(max_length=3)
    paid_duties = models.JSONField(null=True, blank=True)  # what the buyer paid for duties (DDP), as money
    # What the buyer paid for transport, as money: part of the customs value where the destination values CIF.
    freight = models.JSONField(null=True, blank=True)
    tracking_number = models.CharField(max_length=40, blank=True, db_index=True)
    carrier_reference = models.CharField(max_length=60, blank=True)
    # The seller's n-th booking of the order: after a cancel the carrier must see a new idempotency key.
    booking_number = models.PositiveSmallIntegerField(default=1)
    failure_reason = models.CharField(max_length=500, blank=True)
    booked_at = models.DateTimeField(null=True, blank=True)
    customs_released_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["created", "booking", "booked", "in_transit", "customs_hold", "delivered",
                                        "booking_failed", "cancelled"]),
                name="shipment_status_valid"),
        ]

    def __str__(self) -> str:
        return self.tracking_number or f"shipment for {self.order_reference}"

    @property
    def is_return(self) -> bool:
        """The goods going back from the buyer to the seller (a dispute decided so): `RET-<order>`."""
        return self.order_reference.startswith(RETURN_PREFIX)

    @property
    def printable(self) -> bool:
        """A label and papers exist for a booking that stands (not for a cancelled one)."""
        return bool(self.tracking_number) and self.status != self.Status.CANCELLED

    @property
    def booking_key(self) -> str:
        """The idempotency key the carrier sees: the order, and the booking's number after a cancel."""
        return self.order_reference if self.booking_number == 1 else f"{self.order_reference}-{self.booking_number}"


class Parcel(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="parcels")
    weight_kg = models.DecimalField(max_digits=8, decimal_places=3)
    length_cm = models.DecimalField(max_digits=6, decimal_places=1)
    width_cm = models.DecimalField(max_digits=6, decimal_places=1)
    height_cm = models.DecimalField(max_digits=6, decimal_places=1)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(weight_kg__gt=0), name="parcel_weight_positive")]


class TrackingEvent(models.Model):
    """The shipment's timeline: carrier events and our own (booked, customs). Placed by time."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    code = models.CharField(max_length=40)
    occurred_at = models.DateTimeField()
    location = models.CharField(max_length=120, blank=True)
    description = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=20, default="carrier")  # carrier | customs | platform
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [models.UniqueConstraint(fields=["shipment", "code", "occurred_at"], name="tracking_event_once")]


class CarrierBooking(models.Model):
    """What a real carrier answered to a booking, kept under our reference (the shipment's booking key):
    a replayed booking returns this instead of buying a second label, and the carrier's own label and
    customs papers stay with it. Written by the karrio adapter inside the booking's transaction."""

    reference = models.CharField(max_length=64, unique=True)
    carrier = models.CharField(max_length=30)  # the karrio connection: ups, fedex, mydhl
    service_code = models.CharField(max_length=60)  # ours
    tracking_number = models.CharField(max_length=40)
    carrier_reference = models.CharField(max_length=80, blank=True)  # their shipment id (cancel uses it)
    parcel_tracking_numbers = models.JSONField(default=list, blank=True)
    label = models.TextField(blank=True)  # base64, as the carrier sent it
    label_format = models.CharField(max_length=10, blank=True)  # PDF | ZPL | PNG
    invoice = models.TextField(blank=True)  # base64 commercial invoice, when the carrier made one
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.carrier} {self.tracking_number} for {self.reference}"
