"""Notification reads: a user's inbox, unread count and email preferences."""

from __future__ import annotations

from django.db.models import QuerySet

from notifications.kinds import KINDS
from notifications.models import EmailPreference, Notification


def notification_list(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's own notifications, newest first."""
    notifications = Notification.objects.filter(recipient=user)
    return notifications.filter(read_at__isnull=True) if unread_only else notifications


def unread_count(*, user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def email_preferences(*, user) -> list[tuple[str, str, bool]]:
    """(kind, label, email on) for every kind, in the registry's order."""
    off = set(EmailPreference.objects.filter(user=user, email=False).values_list("kind", flat=True))
    return [(key, entry.label, key not in off) for key, entry in KINDS.items()]
