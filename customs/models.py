from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ewtp.files import private_storage
from ewtp.models import AppendOnly


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


CLEARANCE_STATUSES = ["pending", "declared", "screening", "assessed", "auto_released", "held", "awaiting_documents",
                      "submitted", "queried", "released", "rejected", "cleared", "error"]


class ClearanceCase(models.Model):
    """One shipment's way through customs. The allowed moves are in customs/domain/states.py."""

    class Status(models.TextChoices):
        PENDING = "pending"  # opened when the shipment was booked
        DECLARED = "declared"  # declaration built (complete or with an incomplete_declaration finding)
        SCREENING = "screening"  # risk checks done, findings written; assessment next
        ASSESSED = "assessed"  # duty and taxes computed at the declaration date
        AUTO_RELEASED = "auto_released"  # no findings: the platform lets it go without a human
        HELD = "held"  # findings wait for an officer
        AWAITING_DOCUMENTS = "awaiting_documents"  # an officer asked the seller for documents
        SUBMITTED = "submitted"  # lodged with the customs authority; its answer is awaited
        QUERIED = "queried"  # the authority asked a question: an officer answers or asks the seller
        RELEASED = "released"  # the authority released the goods
        REJECTED = "rejected"  # an officer or the authority refused the goods; the buyer is refunded
        CLEARED = "cleared"  # released goods handed back to the carrier for delivery
        ERROR = "error"  # a step kept failing; visible to staff, retried from `error_step`

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
    declared_at = models.DateTimeField(null=True, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)  # a hold past its SLA: shown first
    decided_at = models.DateTimeField(null=True, blank=True)  # auto-release, officer decision or rejection
    last_error = models.CharField(max_length=500, blank=True)
    error_step = models.CharField(max_length=20, blank=True)  # the status a failing step was leaving
    # The customs authority: our local reference (stable across retries, so a repeat is deduplicated),
    # its movement reference number, when we lodged it and its answer.
    lrn = models.CharField(max_length=60, blank=True)
    mrn = models.CharField(max_length=60, blank=True)
    submission_count = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField(null=True, blank=True)
    authority_answer = models.JSONField(default=dict, blank=True)
    # Four eyes: a rejection above the threshold waits for a second officer.
    rejection_proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                              on_delete=models.SET_NULL, related_name="proposed_rejections")
    rejection_reason = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["held_at", "id"]
        indexes = [models.Index(fields=["status", "updated_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=CLEARANCE_STATUSES), name="clearance_status_valid"),
        ]
        permissions = [("decide_clearancecase", "Can release or reject a customs hold")]

    def __str__(self) -> str:
        return f"Clearance {self.shipment_reference}"

    @classmethod
    def from_db(cls, db, field_names, values):
        case = super().from_db(db, field_names, values)
        case._as_read = dict(zip(field_names, values, strict=True))
        return case

    def save_changes(self) -> None:
        """Write only the fields set since the case was read or last saved: a step changes a field
        or two, and writing the whole row re-sent the declaration and assessment every step.
        JSON values are replaced, never edited in place, so a change is always seen."""
        as_read = getattr(self, "_as_read", {})
        fields = self._meta.concrete_fields
        changed = [f.name for f in fields if not f.primary_key
                   and (f.attname not in as_read or getattr(self, f.attname) != as_read[f.attname])]
        self.save(update_fields={"updated_at", *changed})
        self._as_read = {f.attname: getattr(self, f.attname) for f in fields}


class Finding(models.Model):
    """A reason to hold, with its evidence (the rule, the matched list entry and score...).

    A re-screen supersedes the findings of the previous round (they stay, with `superseded_at`)."""

    case = models.ForeignKey(ClearanceCase, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(max_length=40)  # denied_party, high_value, restricted_goods:licence_required, ...
    message = models.CharField(max_length=500)
    evidence = models.JSONField(default=dict)
    superseded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class ClearanceEvent(AppendOnly):
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


def document_path(instance, filename: str) -> str:
    """A random name with the extension of the type the service detected (never the uploader's name)."""
    import uuid

    ext = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(instance.content_type, "bin")
    return f"customs/documents/{uuid.uuid4().hex}.{ext}"


class CaseDocument(models.Model):
    """A document the seller uploaded for a case (proof of origin, invoice, licence...)."""

    class Kind(models.TextChoices):
        PROOF_OF_ORIGIN = "proof_of_origin", _("Proof of origin")
        COMMERCIAL_INVOICE = "commercial_invoice", _("Commercial invoice")
        LICENCE = "licence", _("Import licence")
        OTHER = "other", _("Other document")

    case = models.ForeignKey(ClearanceCase, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    file = models.FileField(upload_to=document_path, storage=private_storage)  # private: see ewtp/files.py
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class DocumentRequest(models.Model):
    """An officer's request for documents: the seller's task until it is answered."""

    case = models.ForeignKey(ClearanceCase, on_delete=models.CASCADE, related_name="document_requests")
    kinds = models.JSONField(default=list)  # CaseDocument.Kind values asked for
    message = models.CharField(max_length=1000)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class ScreeningList(models.Model):
    """A loaded denied-party list: where it came from, when, how many entries. `version`
    changes at every load, so workers rebuild their in-memory index."""

    name = models.CharField(max_length=30, unique=True)  # LIST_OFAC_SDN, LIST_UN_SC
    source = models.CharField(max_length=500)
    entry_count = models.PositiveIntegerField(default=0)
    version = models.CharField(max_length=40)
    loaded_at = models.DateTimeField(auto_now=True)


class ScreeningEntry(models.Model):
    """One party of a denied-party list, as the list publishes it (see customs/domain/screening.py)."""

    screening_list = models.ForeignKey(ScreeningList, on_delete=models.CASCADE, related_name="entries")
    entry_id = models.CharField(max_length=40)
    name = models.CharField(max_length=500)
    aliases = models.JSONField(default=list)
    party_type = models.CharField(max_length=20)
    programs = models.JSONField(default=list)
    countries = models.JSONField(default=list)
    remarks = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["screening_list", "entry_id"], name="one_entry_per_list_id")]


class TariffMeasure(models.Model):
    """One duty measure of a destination's tariff book (MFN, preference or additional duty)."""

    destination = models.CharField(max_length=3)  # customs territory: GB, EU, US...
    code = models.CharField(max_length=10, blank=True)  # national code prefix; "" = every line
    expression_text = models.TextField()  # a national line's rate text can run to several clauses
    kind = models.CharField(max_length=12)  # mfn | preference | additional
    agreement = models.CharField(max_length=30, blank=True)
    origin = models.CharField(max_length=3, blank=True)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    source = models.TextField()  # law, line and edition: US chapter 99 sources run past 1,000 characters
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
