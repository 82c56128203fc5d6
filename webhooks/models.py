"""Sellers' webhook endpoints, the events the platform tells them about, and each delivery with its
attempts (the delivery log)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from webhooks.domain.events import EVENT_TYPES


class Endpoint(models.Model):
    """A URL of the seller's that receives the events it chose, signed with its secret."""

    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(default=list)  # event types, a subset of EVENT_TYPES
    # The signing secret (whsec_…): shown once when made or rotated. The one before a rotation keeps
    # signing too until previous_secret_expires_at, so receivers can switch without losing events.
    secret = models.CharField(max_length=80)
    previous_secret = models.CharField(max_length=80, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    enabled = models.BooleanField(default=True)  # a disabled endpoint gets no new deliveries
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.url

    @property
    def secret_hint(self) -> str:
        return f"{self.secret[:10]}…{self.secret[-4:]}"


class Event(models.Model):
    """Something that happened to one seller's business, once (the signal may come twice: dedupe_key)."""

    id = models.CharField(primary_key=True, max_length=40)  # evt_<hex>: what receivers dedupe on
    type = models.CharField(max_length=40, choices=[(t, t) for t in EVENT_TYPES])
    company_id = models.PositiveBigIntegerField(db_index=True)
    dedupe_key = models.CharField(max_length=120, unique=True)  # e.g. order.paid:ORD-…
    data = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(type__in=EVENT_TYPES), name="webhook_event_type_valid")]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"


class Delivery(models.Model):
    """One event sent to one endpoint: attempted until a 2xx, or until the retry schedule is spent.
    A replay is a new delivery of the same event (same event id in the body)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")  # an attempt is due at next_attempt_at
        SUCCEEDED = "succeeded", _("Succeeded")  # the endpoint answered 2xx
        FAILED = "failed", _("Failed")  # every attempt of the schedule failed (or the endpoint is refused)

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    replay_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replays")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempt_count = models.PositiveIntegerField(default=0)
    # When the next attempt is due; while one runs, a lease (a worker killed mid-attempt is re-driven by beat).
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    failure_reason = models.CharField(max_length=300, blank=True)  # why it stopped without a 2xx
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["pending", "succeeded", "failed"]),
                                   name="webhook_delivery_status_valid"),
            # One first delivery per event and endpoint; replays are extra rows.
            models.UniqueConstraint(fields=["endpoint", "event"], condition=Q(replay_of__isnull=True),
                                    name="webhook_one_delivery_per_event"),
        ]


class Attempt(models.Model):
    """One POST of a delivery: the delivery log."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(null=True, blank=True)  # null while the POST runs
    status_code = models.PositiveIntegerField(null=True, blank=True)  # null: no HTTP answer (timeout, refused)
    response_excerpt = models.CharField(max_length=500, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_number_unique")]

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
