"""Duty settlement: what the authority assessed for each shipment beside what the buyer paid (and how
the difference was settled), the platform's payments of duties to each authority, and the tax invoices
of VAT collected at the sale (IOSS, UK)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ewtp.money import Money


class AuthoritySettlement(models.Model):
    """One payment to one customs authority (destination) in one currency of the duties and import taxes
    owed for the shipments it released. Claimed (pending) before the authority is paid, so that a retry
    pays under the same reference and the authority files it once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being paid")  # the shipments are claimed; the authority is (being) paid
        PAID = "paid", _("Paid")  # the authority confirmed; duties_payable went down by the amount

    reference = models.CharField(max_length=40, unique=True)  # DS-DE-EUR-000012
    destination = models.CharField(max_length=2)
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    payment_reference = models.CharField(max_length=80, blank=True)  # the authority's receipt
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="settlement_amount_positive"),
            models.CheckConstraint(condition=Q(status__in=["pending", "paid"]), name="settlement_status_valid"),
        ]

    @property
    def total(self) -> Money:
        return Money(self.amount, self.currency)


class DutyAssessment(models.Model):
    """A shipment's duties and border taxes as the authority assessed them, beside what was collected for
    them (DDP: at checkout; DAP: by the carrier at the door), and how the difference was settled. One per
    order: a replayed decision finds it and posts nothing again."""

    class Resolution(models.TextChoices):
        EXACT = "exact", _("Collected as assessed")
        REFUNDED = "refunded", _("Over-collected: refunded to the buyer")
        ABSORBED = "absorbed", _("Under-collected: paid by the platform")
        CHARGED_SELLER = "charged_seller", _("Under-collected: charged to the seller")

    reference = models.CharField(max_length=40, unique=True)  # the order (its shipment)
    company_id = models.PositiveBigIntegerField(db_index=True)
    buyer_id = models.PositiveBigIntegerField(db_index=True)
    destination = models.CharField(max_length=2)
    incoterm = models.CharField(max_length=3)
    currency = models.CharField(max_length=3)  # the payment's
    collected_amount = models.DecimalField(max_digits=14, decimal_places=2)
    assessed_amount = models.DecimalField(max_digits=14, decimal_places=2)
    mrn = models.CharField(max_length=40, blank=True)
    resolution = models.CharField(max_length=20, choices=Resolution.choices)
    settlement = models.ForeignKey(AuthoritySettlement, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="assessments")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(collected_amount__gte=0) & Q(assessed_amount__gte=0),
                                   name="assessment_amounts_not_negative"),
            models.CheckConstraint(condition=Q(resolution__in=["exact", "refunded", "absorbed", "charged_seller"]),
                                   name="assessment_resolution_valid"),
        ]

    @property
    def difference(self) -> Money:
        """Assessed minus collected: above zero under-collected, below zero over-collected."""
        return Money(self.assessed_amount - self.collected_amount, self.currency)

    @property
    def assessed(self) -> Money:
        return Money(self.assessed_amount, self.currency)

    @property
    def collected(self) -> Money:
        return Money(self.collected_amount, self.currency)


class TaxInvoice(models.Model):
    """The invoice of VAT the platform charged at the sale under a special scheme (the EU's IOSS for
    consignments up to EUR 150, the UK's for up to GBP 135), as the deemed supplier: one per order."""

    class Scheme(models.TextChoices):
        IOSS = "IOSS", _("EU Import One-Stop Shop")
        UK = "UK", _("UK VAT on low-value imports")

    number = models.CharField(max_length=30, unique=True)  # TI-IOSS-2026-000012
    reference = models.CharField(max_length=40, unique=True)  # the order
    scheme = models.CharField(max_length=4, choices=Scheme.choices)
    country = models.CharField(max_length=2)  # the member state of consumption (GB for the UK)
    vat_number = models.CharField(max_length=30)  # the platform's IOSS number or UK VAT number
    buyer_id = models.PositiveBigIntegerField(db_index=True)
    company_id = models.PositiveBigIntegerField(db_index=True)
    buyer = models.JSONField()  # name, address lines, city, postcode, country: as shipped
    seller = models.JSONField()  # legal name, country
    currency = models.CharField(max_length=3)
    net_amount = models.DecimalField(max_digits=14, decimal_places=2)
    vat_amount = models.DecimalField(max_digits=14, decimal_places=2)
    lines = models.JSONField()  # [{"description", "quantity"}]
    vat_lines = models.JSONField()  # [{"name", "rate", "base", "amount"}]: per rate, as charged
    issued_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(scheme__in=["IOSS", "UK"]), name="tax_invoice_scheme_valid"),
            models.CheckConstraint(condition=Q(vat_amount__gt=0) & Q(net_amount__gte=0),
                                   name="tax_invoice_amounts_valid"),
        ]

    @property
    def net(self) -> Money:
        return Money(self.net_amount, self.currency)

    @property
    def vat(self) -> Money:
        return Money(self.vat_amount, self.currency)

    @property
    def gross(self) -> Money:
        return Money(self.net_amount + self.vat_amount, self.currency)
