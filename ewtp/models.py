from decimal import Decimal

from django.conf import settings
from django.db import models


class ImmutableError(ValueError):
    """An append-only record was about to be edited or deleted."""


class AppendOnly(models.Model):
    """A record written once and kept as written (an audit trail): saving it again or deleting it raises
    ImmutableError. A correction is a new record."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableError(f"{str(self._meta.verbose_name_plural).capitalize()} are never edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError(f"{str(self._meta.verbose_name_plural).capitalize()} are never deleted.")


class FxRateSet(models.Model):
    """A day's reference rates (units per EUR) from a source such as the ECB. Shared: customs
    values consignments with them and payments converts payouts with them."""

    as_of = models.DateField(unique=True)
    source = models.CharField(max_length=200)
    rates = models.JSONField()  # {"USD": "1.0812", ...} as strings: no floats
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-as_of"]


class DataLoad(models.Model):
    """What load_reference_data last loaded for a dataset, so an unchanged file is not reloaded."""

    dataset = models.CharField(max_length=60, unique=True)
    checksum = models.CharField(max_length=64)
    summary = models.CharField(max_length=300)
    loaded_at = models.DateTimeField(auto_now=True)


class StaffAction(AppendOnly):
    """Who on the staff did what to which record: refunds, company verifications, customs decisions.
    Written by the service that does the action, in its transaction; never edited; superusers read it
    in the admin (no staff group holds view_staffaction)."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_email = models.CharField(max_length=254)  # kept if the account goes
    action = models.CharField(max_length=40)  # e.g. "payment.refund", "company.verify", "case.release"
    target = models.CharField(max_length=80)  # e.g. "order ORD-000012", "company 7"
    detail = models.JSONField(default=dict)  # amounts as strings, reasons
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["action", "created_at"])]

    def __str__(self) -> str:
        return f"{self.actor_email} {self.action} {self.target}"


class IdempotencyKey(models.Model):
    """An API request made with an `Idempotency-Key` header (ewtp/idempotency.py): the caller's key, what
    the request was, and the response it got, replayed to a retry of it for IDEMPOTENCY_KEY_TTL_HOURS."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress"  # the first request with the key is running: a concurrent one gets 409
        COMPLETED = "completed"  # answered: a retry with the same request gets the stored response

    scope = models.CharField(max_length=80)  # whose key: user:<id> (or session:<key> for an anonymous cart)
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    fingerprint = models.CharField(max_length=64)  # sha256 of the method, path, query and body
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_unique_per_caller"),
            models.CheckConstraint(condition=models.Q(status__in=["in_progress", "completed"]),
                                   name="idempotency_key_status_valid"),
        ]


class DecimalSum(models.Sum):
    """The sum of decimal amounts, exact on SQLite too. SQLite adds them as floats, and Django reads an
    aggregate back at 15 significant digits without rounding it to the field's places (10.00 - 9.90 - 0.10
    comes back as -3.6E-15); amounts with n decimal places add up to n places, so rounding to them restores
    the exact sum. PostgreSQL's numeric sum is exact already. Use it for every sum of money."""

    def get_db_converters(self, connection):
        converters = super().get_db_converters(connection)
        places = getattr(self.output_field, "decimal_places", None)
        if connection.vendor != "sqlite" or places is None:
            return converters
        step = Decimal(1).scaleb(-places)  # "+ 0" below: a float error under zero would read -0.00
        return [*converters, lambda value, expression, connection: None if value is None else value.quantize(step) + 0]
