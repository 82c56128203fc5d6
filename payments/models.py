from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ewtp.money import Money


def _refundable_amount(name: str) -> list[models.CheckConstraint]:
    """An amount above zero of which no more than all and no less than nothing is refunded."""
    return [
        models.CheckConstraint(condition=Q(amount__gt=0), name=f"{name}_amount_positive"),
        models.CheckConstraint(condition=Q(refunded_amount__gte=0) & Q(refunded_amount__lte=models.F("amount")),
                               name=f"{name}_refund_within_amount"),
    ]


class Payment(models.Model):
    """One payment by a buyer for a checkout: one or more seller orders, each with its share
    (`allocations`). Status names follow Stripe's PaymentIntent."""

    class Status(models.TextChoices):
        REQUIRES_PAYMENT_METHOD = "requires_payment_method", _("Awaiting payment")  # created, waiting for a card
        REQUIRES_ACTION = "requires_action", _("Needs your bank's confirmation")  # 3-D Secure
        SUCCEEDED = "succeeded", _("Paid")  # money captured and held in escrow
        FAILED = "failed", _("Declined")  # the buyer may try another card
        CANCELED = "canceled", _("Cancelled")  # abandoned or the order was cancelled before payment

    reference = models.CharField(max_length=40, db_index=True)  # the checkout, e.g. CHK-000012
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    # The part of `amount` collected for duties and taxes (DDP): owed to customs, not the seller.
    duties_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    destination = models.CharField(max_length=2)  # whose customs the duties are owed to
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.REQUIRES_PAYMENT_METHOD)
    provider = models.CharField(max_length=20)
    provider_id = models.CharField(max_length=100, blank=True, db_index=True)
    client_secret = models.CharField(max_length=200, blank=True)  # for Stripe.js in the buyer's page
    idempotency_key = models.CharField(max_length=80, unique=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    failure_reason = models.CharField(max_length=300, blank=True)
    refunded_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("refund_payment", "Can refund an order's share of a payment")]
        constraints = _refundable_amount("payment")

    @property
    def total(self) -> Money:
        return Money(self.amount, self.currency)


class PaymentAllocation(models.Model):
    """One seller order's share of a checkout's payment (in the payment's currency): escrow holds
    it, releases it to that seller and refunds it, order by order."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="allocations")
    reference = models.CharField(max_length=40, unique=True)  # the seller order, e.g. ORD-000012
    company_id = models.PositiveBigIntegerField(db_index=True)  # the seller
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    duties_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)  # owed to customs (DDP)
    refunded_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    refunded_duties_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    class Meta:
        ordering = ["id"]
        constraints = _refundable_amount("allocation")

    @property
    def total(self) -> Money:
        return Money(self.amount, self.payment.currency)

    @property
    def escrow_held(self) -> Money:
        """What escrow holds for this order until it is released to its seller."""
        refunded_from_escrow = self.refunded_amount - self.refunded_duties_amount
        return Money(self.amount - self.duties_amount - refunded_from_escrow, self.payment.currency)


class LedgerTransaction(models.Model):
    """One money movement: its entries sum to zero in every currency. Never updated or deleted."""

    kind = models.CharField(max_length=30)  # payment_captured, escrow_released, payout, refund
    reference = models.CharField(max_length=40, db_index=True)
    memo = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["kind", "reference"], name="one_ledger_txn_per_kind_and_ref")]


class LedgerEntry(models.Model):
    """Positive amounts are debits, negative are credits."""

    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="entries")
    account = models.CharField(max_length=60, db_index=True)  # e.g. escrow, seller_payable:12
    # The seller order the entry is for: a checkout's capture holds escrow for several orders at once.
    reference = models.CharField(max_length=40, db_index=True)
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    currency = models.CharField(max_length=3)

    class Meta:
        ordering = ["id"]


class Payout(models.Model):
    """What the platform owes a seller once escrow is released, in the seller's currency."""

    class Status(models.TextChoices):
        RECORDED = "recorded"  # sandbox: booked in the ledger, paid out by bank run
        TRANSFERRED = "transferred"  # Stripe Connect transfer created

    reference = models.CharField(max_length=40, unique=True)
    company_id = models.PositiveBigIntegerField(db_index=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    fee_amount = models.DecimalField(max_digits=14, decimal_places=2)
    fee_currency = models.CharField(max_length=3)
    fx_rate = models.DecimalField(max_digits=20, decimal_places=10)
    fx_as_of = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECORDED)
    provider_id = models.CharField(max_length=60, blank=True)  # the Stripe transfer
    created_at = models.DateTimeField(auto_now_add=True)

    @property
    def total(self) -> Money:
        return Money(self.amount, self.currency)


class ProviderEvent(models.Model):
    """A webhook event from the payment provider, stored once by its id: a replay is ignored."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=100)
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="provider_event_once")]


class SellerAccount(models.Model):
    """A seller company's Stripe Connect (Express) account: where escrow is transferred."""

    company_id = models.PositiveBigIntegerField(unique=True)
    stripe_account_id = models.CharField(max_length=60, unique=True)
    details_submitted = models.BooleanField(default=False)
    payouts_enabled = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)
