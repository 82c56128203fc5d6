from django.contrib import admin

from ewtp.admin import ImmutableAdmin
from finance.models import Advance, AdvanceEvent, AdvanceOffer, PledgedOrder


class PledgedOrderInline(admin.TabularInline):
    model = PledgedOrder
    extra = 0
    can_delete = False
    readonly_fields = ["order_reference", "stage", "base_amount", "rate", "eligible_amount", "repaid_amount",
                       "released"]


class EventInline(admin.TabularInline):
    model = AdvanceEvent
    extra = 0
    can_delete = False
    readonly_fields = ["created_at", "kind", "order_reference", "amount", "currency", "note"]


@admin.register(Advance)
class AdvanceAdmin(ImmutableAdmin):
    """Advances move only through finance/services.py (their money is in the ledger)."""

    list_display = ["id", "company_id", "amount", "repaid_amount", "currency", "status", "at_risk", "due_at"]
    list_filter = ["status", "at_risk", "currency"]
    search_fields = ["orders__order_reference", "provider_id"]
    inlines = [PledgedOrderInline, EventInline]


@admin.register(AdvanceOffer)
class AdvanceOfferAdmin(ImmutableAdmin):
    list_display = ["id", "company_id", "max_amount", "currency", "expires_at", "accepted_at"]
