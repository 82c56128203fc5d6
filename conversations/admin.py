from django.contrib import admin

from conversations.models import Message, Thread


class MessageInline(admin.TabularInline):
    model = Message
    fields = ("author", "body", "attachment_name", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "order", "rfq", "last_message_at")
    list_filter = ("kind",)
    readonly_fields = ("kind", "order", "rfq", "created_at", "last_message_at")
    inlines = [MessageInline]
