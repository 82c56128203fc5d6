from django.contrib import admin

from ewtp.admin import ImmutableAdmin
from payments.models import LedgerEntry, LedgerTransaction, Payment, PaymentAllocation, Payout


class AllocationInline(admin.TabularInline):
    """Each seller order's share of the checkout's payment."""

    model = PaymentAllocation
    extra = 0
    can_delete = False
    readonly_fields = ["reference", "company_id", "amount", "duties_amount", "refunded_amount",
                       "refunded_duties_amount"]


@admin.register(Payment)
class PaymentAdmin(ImmutableAdmin):
    list_display = ["reference", "buyer", "amount", "currency", "status", "refunded_amount", "provider", "created_at"]
    list_filter = ["status", "currency", "provider"]
    search_fields = ["reference", "provider_id", "allocations__reference"]
    inlines = [AllocationInline]


class EntryInline(admin.TabularInline):
    model = LedgerEntry
    extra = 0
    can_delete = False
    readonly_fields = ["account", "reference", "amount", "currency"]


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ImmutableAdmin):
    list_display = ["kind", "reference", "memo", "created_at"]
    list_filter = ["kind"]
    search_fields = ["reference"]
    inlines = [EntryInline]


@admin.register(Payout)
class PayoutAdmin(ImmutableAdmin):
    list_display = ["reference", "company_id", "amount", "currency", "fee_amount", "fee_currency", "status"]
