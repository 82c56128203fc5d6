from django.contrib import admin

from customs.models import ClearanceCase, ClearanceEvent, Finding, HsCode, TariffMeasure


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


@admin.register(ClearanceCase)
class ClearanceCaseAdmin(admin.ModelAdmin):
    """Read-only here: officers decide in the customs console, where every action is recorded."""

    list_display = ["shipment_reference", "destination", "status", "held_at", "decided_at"]
    list_filter = ["status", "destination"]
    search_fields = ["shipment_reference"]
    inlines = [FindingInline, EventInline]

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
