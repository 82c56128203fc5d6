from django.contrib import admin

from disputes.models import Dispute, DisputeEvent, Evidence
from ewtp.admin import ImmutableAdmin


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    can_delete = False
    fields = readonly_fields = ["created_at", "party", "original_name", "kind", "size"]


class EventInline(admin.TabularInline):
    model = DisputeEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ["created_at", "action", "from_status", "to_status", "actor", "amount", "currency",
                                "note"]


@admin.register(Dispute)
class DisputeAdmin(ImmutableAdmin):
    """Disputes move only through disputes/services.py (decisions move money through payments)."""

    list_display = ["id", "order_reference", "company", "status", "reason", "outcome", "refunded_amount", "currency",
                    "created_at"]
    list_filter = ["status", "reason", "outcome"]
    search_fields = ["order_reference"]
    inlines = [EvidenceInline, EventInline]
