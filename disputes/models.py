"""A buyer's complaint about an order, inside the escrow window: the buyer opens it with evidence, the seller
answers, staff decide (refund all or part, a return, or reject). While it is open the order's escrow is frozen
(`disputes.receivers`). The dispute's history is append-only."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ewtp.files import private_storage
from ewtp.models import AppendOnly
from ewtp.money import Money


class Dispute(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the seller")  # the buyer opened it; the seller answers by seller_deadline
        ANSWERED = "answered", _("Waiting for a decision")  # the seller answered; staff decide
        RETURNING = "returning", _("Return on its way")  # staff asked for the goods back; refunded when delivered
        RESOLVED = "resolved", _("Refunded")  # the buyer got all or part of the money back (final)
        REJECTED = "rejected", _("Rejected")  # staff found for the seller (final)
        WITHDRAWN = "withdrawn", _("Withdrawn")  # the buyer withdrew it (final)

    class Reason(models.TextChoices):
        NOT_RECEIVED = "not_received", _("The goods never arrived")
        NOT_AS_DESCRIBED = "not_as_described", _("The goods are not as described")
        DAMAGED = "damaged", _("The goods arrived damaged")

    class Outcome(models.TextChoices):
        REFUND_FULL = "refund_full", _("Refund everything")
        REFUND_PARTIAL = "refund_partial", _("Refund part")
        RETURN = "return", _("Return the goods, then refund")
        REJECT = "reject", _("Reject the claim")

    order = models.ForeignKey("marketplace.Order", on_delete=models.PROTECT, related_name="disputes")
    order_reference = models.CharField(max_length=40, db_index=True)
    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="disputes")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="disputes")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    reason = models.CharField(max_length=30, choices=Reason.choices)
    description = models.TextField(max_length=4000)
    seller_deadline = models.DateTimeField()  # after it staff may decide without the seller's answer
    seller_answer = models.TextField(max_length=4000, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    decision_note = models.TextField(max_length=2000, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    currency = models.CharField(max_length=3)  # the payment's
    refunded_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)  # by this dispute
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    OPEN_STATUSES = ("open", "answered", "returning")

    class Meta:
        ordering = ["created_at", "id"]
        permissions = [("decide_dispute", "Can decide buyers' disputes")]
        constraints = [
            models.UniqueConstraint(fields=["order"], condition=Q(status__in=["open", "answered", "returning"]),
                                    name="one_open_dispute_per_order"),
            models.CheckConstraint(condition=Q(status__in=["open", "answered", "returning", "resolved", "rejected",
                                                           "withdrawn"]), name="dispute_status_valid"),
            models.CheckConstraint(condition=Q(refunded_amount__gte=0), name="dispute_refund_not_negative"),
        ]

    def __str__(self) -> str:
        return f"Dispute {self.pk} on {self.order_reference}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def refunded(self) -> Money:
        return Money(self.refunded_amount, self.currency)


def evidence_path(instance, filename: str) -> str:
    """A random name with the extension of the type the bytes say (never the uploader's name)."""
    import uuid

    from ewtp.filetypes import KINDS

    return f"disputes/evidence/{uuid.uuid4().hex}.{KINDS[instance.kind][0]}"


class Evidence(AppendOnly):
    """A photo or PDF the buyer or the seller gave for a dispute. Private: the buyer, the seller's members and
    dispute staff download it (disputes.selectors.evidence_for_user)."""

    class Party(models.TextChoices):
        BUYER = "buyer", _("Buyer")
        SELLER = "seller", _("Seller")

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="evidence")
    party = models.CharField(max_length=10, choices=Party.choices)
    file = models.FileField(upload_to=evidence_path, storage=private_storage)
    kind = models.CharField(max_length=10)  # pdf, png, jpg, webp: from the bytes (ewtp.filetypes)
    original_name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "evidence"


class DisputeEvent(AppendOnly):
    """The dispute's history: who moved it, when, why, and the money a decision moved. Never edited."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=30)  # opened, answered, refund_full, refund_partial, return, ...
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    note = models.CharField(max_length=2000, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "dispute events"

    @property
    def to_status_label(self) -> str:
        return dict(Dispute.Status.choices).get(self.to_status, self.to_status)

    @property
    def money(self) -> Money | None:
        return Money(self.amount, self.currency) if self.amount is not None else None
