from django.conf import settings
from django.db import models
from django.db.models import Q


class HsCode(models.Model):
    """The HS 2022 nomenclature: sections' chapters (2 digits), headings (4), subheadings (6)."""

    code = models.CharField(max_length=10, unique=True)
    description = models.TextField()
    level = models.PositiveSmallIntegerField()
    parent_code = models.CharField(max_length=10, blank=True)
    section = models.CharField(max_length=5, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.description[:60]}"


class ClearanceCase(models.Model):
    """One shipment's way through customs. The allowed moves are in customs/domain/states.py."""

    class Status(models.TextChoices):
        PENDING = "pending"  # opened when the shipment was booked
        DECLARED = "declared"  # declaration built and complete
        SCREENING = "screening"  # risk checks running
        ASSESSED = "assessed"  # duty and taxes computed at the declaration date
        AUTO_RELEASED = "auto_released"  # no findings: released without a human
        HELD = "held"  # findings wait for an officer
        RELEASED = "released"  # an officer released it
        REJECTED = "rejected"  # an officer rejected it; the buyer is refunded
        ERROR = "error"  # a step kept failing; visible to staff, re-driven by beat

    shipment_reference = models.CharField(max_length=40, unique=True)  # the order reference
    company_id = models.PositiveBigIntegerField(db_index=True)
    buyer_id = models.PositiveBigIntegerField(db_index=True)
    destination = models.CharField(max_length=2)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    declaration = models.JSONField(default=dict)
    assessment = models.JSONField(default=dict)
    customs_value_eur = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="assigned_cases")
    held_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["held_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "declared", "screening", "assessed", "auto_released", "held",
                                        "released", "rejected", "error"]),
                name="clearance_status_valid"),
        ]
        permissions = [("decide_clearancecase", "Can release or reject a customs hold")]

    def __str__(self) -> str:
        return f"Clearance {self.shipment_reference}"


class Finding(models.Model):
    """A reason to hold, with its evidence (the rule, the matched list entry and score...)."""

    case = models.ForeignKey(ClearanceCase, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(max_length=40)  # denied_party, high_value, restricted_goods, ...
    message = models.CharField(max_length=500)
    evidence = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class ClearanceEvent(models.Model):
    """Append-only audit trail: every step and every officer's action, with who and why."""

    case = models.ForeignKey(ClearanceCase, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    note = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class TariffMeasure(models.Model):
    """One duty measure of a destination's tariff book (MFN, preference or additional duty)."""

    destination = models.CharField(max_length=3)  # customs territory: GB, EU, US...
    code = models.CharField(max_length=10, blank=True)  # national code prefix; "" = every line
    expression_text = models.CharField(max_length=300)
    kind = models.CharField(max_length=12)  # mfn | preference | additional
    agreement = models.CharField(max_length=30, blank=True)
    origin = models.CharField(max_length=3, blank=True)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=500)
    title = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["destination", "code"])]
        constraints = [models.CheckConstraint(condition=Q(kind__in=["mfn", "preference", "additional"]),
                                              name="tariff_measure_kind_valid")]


class ReferenceDocument(models.Model):
    """Destination regimes, trade agreements and restrictions: nested reference data kept as the
    JSON the domain dataclasses read and write, one row per item, each with its source."""

    kind = models.CharField(max_length=20)  # destination | agreement | restriction
    key = models.CharField(max_length=60)
    data = models.JSONField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="one_reference_document_per_key")]
