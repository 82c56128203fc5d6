from django.contrib import admin

from ewtp.models import StaffAction


class ImmutableAdmin(admin.ModelAdmin):
    """Records that are never edited or deleted in the admin (money, the audit trail): corrections are new
    records."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StaffAction)
class StaffActionAdmin(ImmutableAdmin):
    """The audit trail of staff actions: superusers read it; nobody adds, edits or deletes."""

    list_display = ["created_at", "actor_email", "action", "target"]
    list_filter = ["action"]
    search_fields = ["actor_email", "target"]
    readonly_fields = ["created_at", "actor", "actor_email", "action", "target", "detail"]

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser
