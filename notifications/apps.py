from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Tells people what happened: an inbox record per user and event, and an email in their language after
    commit. It listens to the other apps' signals (notifications/kinds.py); no app imports it."""

    name = "notifications"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from notifications.kinds import connect_receivers

        connect_receivers()
