from django.contrib import admin

from webhooks.models import Attempt, Delivery, Endpoint, Event


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "company", "enabled", "created_at"]
    exclude = ["secret", "previous_secret"]
    readonly_fields = ["company", "url", "events", "created_by"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["id", "type", "company_id", "created_at"]
    list_filter = ["type"]


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "endpoint", "event", "status", "attempt_count", "next_attempt_at"]
    list_filter = ["status"]
    inlines = [AttemptInline]
