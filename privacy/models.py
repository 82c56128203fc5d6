from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ErasureRequest(models.Model):
    """A user's request to be forgotten, carried out at once: their personal data is anonymised, the
    account closed. The records a law makes us keep (orders, payments, shipments, customs cases) keep the
    person's name and address until `*_retained_until`; then the beat task anonymises them too.

    Holds no personal data itself: the account's placeholder email, and a keyed digest of the old email
    (`email_digest`) by which the purge finds that person's name on the seller side of shipments and
    declarations (where they were the sender) without keeping the address itself."""

    class Status(models.TextChoices):
        ERASED = "erased", _("Erased; records kept for their retention period")  # account anonymised
        PURGED = "purged", _("Purged")  # retention over: the kept records are anonymised as well

    # The anonymised account (kept: orders and payments point at it, PROTECT).
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="erasure_request")
    placeholder_email = models.CharField(max_length=254)
    email_digest = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ERASED)
    # The seller companies the user belonged to when erased (their contact details were theirs).
    company_ids = models.JSONField(default=list)
    summary = models.JSONField(default=dict)  # what was anonymised, deleted and kept: counts only
    requested_at = models.DateTimeField(auto_now_add=True)
    customs_retained_until = models.DateTimeField()
    accounting_retained_until = models.DateTimeField()
    customs_purged_at = models.DateTimeField(null=True, blank=True)
    accounting_purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["status", "customs_retained_until"]),
                   models.Index(fields=["status", "accounting_retained_until"])]
        constraints = [models.CheckConstraint(condition=Q(status__in=["erased", "purged"]),
                                              name="erasure_request_status_valid")]

    def __str__(self) -> str:
        return f"Erasure of user {self.user_id}"
