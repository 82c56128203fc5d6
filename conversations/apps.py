from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    """Messages between a buyer and a seller, one thread per order or request for quotation. It sits on
    top of the marketplace (reads its orders and RFQs; no app imports it) and tells others through
    `conversations.signals.message_posted`; the marketplace's pages show a thread through its template tag."""

    name = "conversations"
    verbose_name = _("Messages")
    default_auto_field = "django.db.models.BigAutoField"
