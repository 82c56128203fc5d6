"""Trade finance for sellers: offers, advances against orders in escrow, and their history.

A company is named by its id (as payments does), not by a foreign key into marketplace."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ewtp.money import Money


class MoneyColumn:
    """An amount column read as Money in its row's `currency`: `limit = MoneyColumn("limit_amount")`."""

    def __init__(self, column: str) -> None:
        self.column = column

    def __get__(self, row, owner=None):
        return self if row is None else Money(getattr(row, self.column), row.currency)


class CreditLine(models.Model):
    """One row per seller company: accepting an advance locks it, so that two accepts at once are
    taken one after the other (the second sees what the first used of the limit)."""

    company_id = models.PositiveBigIntegerField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)


class AdvanceOffer(models.Model):
    """What the platform offered a seller for the orders it chose, shown before it accepts, valid
    until `expires_at`. Accepting checks the terms again: changed terms are refused."""

    company_id = models.PositiveBigIntegerField(db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3)
    limit_amount = models.DecimalField(max_digits=14, decimal_places=2)
    outstanding_amount = models.DecimalField(max_digits=14, decimal_places=2)
    available_amount = models.DecimalField(max_digits=14, decimal_places=2)
    eligible_amount = models.DecimalField(max_digits=14, decimal_places=2)
    max_amount = models.DecimalField(max_digits=14, decimal_places=2)
    fee_rate = models.DecimalField(max_digits=6, decimal_places=4)
    term_days = models.PositiveIntegerField()
    # The orders with their stage, base, rate and eligible amount, and the history the limit came from.
    terms = models.JSONField()
    fingerprint = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(max_amount__gte=0) & Q(max_amount__lte=F("available_amount"))
                                   & Q(max_amount__lte=F("eligible_amount")), name="offer_max_within_limit_and_base"),
        ]

    limit = MoneyColumn("limit_amount")
    outstanding = MoneyColumn("outstanding_amount")
    available = MoneyColumn("available_amount")
    eligible = MoneyColumn("eligible_amount")
    maximum = MoneyColumn("max_amount")

    @property
    def fee_percent(self):
        return self.fee_rate * 100


class Advance(models.Model):
    """Money paid to a seller ahead of its orders' escrow releases, owed until they repay it."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Outstanding")  # paid out; repaid from the pledged orders' releases
        OVERDUE = "overdue", _("Overdue")  # its due date passed with something still owed
        REPAID = "repaid", _("Repaid")  # nothing owed

    offer = models.OneToOneField(AdvanceOffer, on_delete=models.PROTECT, related_name="advance")
    company_id = models.PositiveBigIntegerField(db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(max_digits=14, decimal_places=2)  # owed in all
    fee_amount = models.DecimalField(max_digits=14, decimal_places=2)  # kept when paid out
    disbursed_amount = models.DecimalField(max_digits=14, decimal_places=2)  # amount - fee: what the seller got
    repaid_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # A refund or a customs rejection of a pledged order left less to repay from than is owed.
    at_risk = models.BooleanField(default=False)
    at_risk_reason = models.CharField(max_length=300, blank=True)
    due_at = models.DateTimeField()
    provider = models.CharField(max_length=20)
    provider_id = models.CharField(max_length=60, blank=True)  # the Stripe transfer
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "due_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["active", "overdue", "repaid"]), name="advance_status_valid"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="advance_amount_positive"),
            models.CheckConstraint(condition=Q(fee_amount__gte=0) & Q(disbursed_amount__gt=0)
                                   & Q(disbursed_amount=F("amount") - F("fee_amount")), name="advance_fee_kept"),
            models.CheckConstraint(condition=Q(repaid_amount__gte=0) & Q(repaid_amount__lte=F("amount")),
                                   name="advance_repaid_within_amount"),
        ]

    @property
    def reference(self) -> str:
        return f"ADV-{self.pk:06d}"

    total = MoneyColumn("amount")
    fee = MoneyColumn("fee_amount")
    disbursed = MoneyColumn("disbursed_amount")
    repaid = MoneyColumn("repaid_amount")

    @property
    def outstanding(self) -> Money:
        return Money(self.amount - self.repaid_amount, self.currency)


class PledgedOrder(models.Model):
    """An order whose escrow release repays an advance first. An order is pledged once."""

    advance = models.ForeignKey(Advance, on_delete=models.PROTECT, related_name="orders")
    order_reference = models.CharField(max_length=40, unique=True)
    stage = models.CharField(max_length=12)  # finance.domain.advances.Stage, when pledged
    base_amount = models.DecimalField(max_digits=14, decimal_places=2)  # its release, as offered
    rate = models.DecimalField(max_digits=5, decimal_places=4)
    eligible_amount = models.DecimalField(max_digits=14, decimal_places=2)
    repaid_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)  # from its release
    released = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]


class AdvanceEvent(models.Model):
    """The advance's history: paid out, each repayment, each reduction of what repays it, overdue."""

    class Kind(models.TextChoices):
        PAID_OUT = "paid_out", _("Paid out")
        REPAID = "repaid", _("Repaid from an escrow release")
        SOURCE_REDUCED = "source_reduced", _("Repayment source reduced")
        OVERDUE = "overdue", _("Overdue")

    advance = models.ForeignKey(Advance, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    order_reference = models.CharField(max_length=40, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    @property
    def money(self) -> Money | None:
        return Money(self.amount, self.currency) if self.amount is not None else None
