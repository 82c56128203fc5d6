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
