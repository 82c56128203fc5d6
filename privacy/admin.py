from django.contrib import admin

from privacy.models import ErasureRequest


@admin.register(ErasureRequest)
class ErasureRequestAdmin(admin.ModelAdmin):
    """Staff see who asked to be erased, what was done and until when records are kept; nobody edits them
    (the service writes them, the purge task moves them on)."""

    list_display = ("id", "user_id", "placeholder_email", "status", "requested_at", "customs_retained_until",
                    "accounting_retained_until")
    list_filter = ("status",)
    search_fields = ("placeholder_email", "=user__id")
    readonly_fields = [field.name for field in ErasureRequest._meta.fields]
    ordering = ("-requested_at",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
