from django.contrib import admin

from customs.models import (
    CaseDocument,
    ClearanceCase,
    ClearanceEvent,
    DocumentRequest,
    Finding,
    HsCode,
    ScreeningList,
    TariffMeasure,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class FindingInline(ReadOnlyInline):
    model = Finding


class EventInline(ReadOnlyInline):
    model = ClearanceEvent


class DocumentInline(ReadOnlyInline):
    model = CaseDocument
    fields = ["kind", "original_name", "content_type", "size", "uploaded_by", "created_at"]
    readonly_fields = fields


class DocumentRequestInline(ReadOnlyInline):
    model = DocumentRequest


@admin.register(ClearanceCase)
class ClearanceCaseAdmin(admin.ModelAdmin):
    """Read-only here: officers decide in the customs console, where every action is recorded."""

    list_display = ["shipment_reference", "destination", "status", "held_at", "escalated_at", "decided_at", "mrn"]
    list_filter = ["status", "destination"]
    search_fields = ["shipment_reference", "mrn", "lrn"]
    inlines = [FindingInline, DocumentRequestInline, DocumentInline, EventInline]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(HsCode)
class HsCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "description", "level"]
    search_fields = ["code", "description"]
    list_filter = ["level"]


@admin.register(TariffMeasure)
class TariffMeasureAdmin(admin.ModelAdmin):
    list_display = ["destination", "code", "expression_text", "kind", "agreement", "origin", "valid_from"]
    list_filter = ["destination", "kind"]
    search_fields = ["code", "expression_text"]


@admin.register(ScreeningList)
class ScreeningListAdmin(admin.ModelAdmin):
    """Loaded by `manage.py load_screening_lists`; read-only here."""

    list_display = ["name", "entry_count", "source", "loaded_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
