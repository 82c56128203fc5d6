from django.contrib import admin

from duties.models import AuthoritySettlement, DutyAssessment, TaxInvoice


@admin.register(AuthoritySettlement)
class AuthoritySettlementAdmin(admin.ModelAdmin):
    list_display = ("reference", "destination", "currency", "amount", "status", "payment_reference", "paid_at")
    list_filter = ("status", "destination")
    readonly_fields = [f.name for f in AuthoritySettlement._meta.fields]


@admin.register(DutyAssessment)
class DutyAssessmentAdmin(admin.ModelAdmin):
    list_display = ("reference", "destination", "incoterm", "collected_amount", "assessed_amount", "currency",
                    "resolution", "settlement")
    list_filter = ("resolution", "destination")
    readonly_fields = [f.name for f in DutyAssessment._meta.fields]


@admin.register(TaxInvoice)
class TaxInvoiceAdmin(admin.ModelAdmin):
    list_display = ("number", "reference", "scheme", "country", "vat_amount", "currency", "issued_at")
    list_filter = ("scheme", "country")
    readonly_fields = [f.name for f in TaxInvoice._meta.fields]
