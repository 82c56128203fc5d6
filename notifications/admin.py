from django.contrib import admin

from notifications.models import EmailPreference, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "recipient", "email_status", "read_at")
    list_filter = ("kind", "email_status")
    search_fields = ("event_key", "recipient__email")
    raw_id_fields = ("recipient",)
    readonly_fields = ("event_key", "kind", "context", "url", "created_at", "emailed_at", "email_error")


@admin.register(EmailPreference)
class EmailPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "email")
    raw_id_fields = ("user",)
