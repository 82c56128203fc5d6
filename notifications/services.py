"""Notification writes: record an event for its recipients, email each once, mark read, set preferences.

`notify` records one Notification per recipient and event (unique on (event_key, recipient), so an event
told twice is recorded once) inside the caller's transaction, and enqueues each new one's email after
that transaction commits. `notification_email_send` (the worker's part) locks the notification, sends only
if it is still pending and marks it sent in the same transaction: a task run twice, or retried after the
send, finds it sent and sends nothing. (Only a crash between the backend accepting the message and the
commit could send it again: at least once, never lost.)
"""

from __future__ import annotations

import json
import smtplib
from collections.abc import Iterable, Mapping
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from ewtp.exceptions import ApplicationError, NotFound, TransientError
from notifications.kinds import KINDS
from notifications.models import EmailPreference, Notification


class EmailUnavailable(TransientError):
    """The email backend failed in a way that may pass (the SMTP server or the ESP's API): retried."""


def _transient_email_errors() -> tuple[type[BaseException], ...]:
    errors: tuple[type[BaseException], ...] = (smtplib.SMTPException, OSError)
    try:  # django-anymail, when production sends through an ESP
        from anymail.exceptions import AnymailAPIError
    except ImportError:
        return errors
    return (*errors, AnymailAPIError)


def notify(*, kind: str, event_key: str, recipients: Mapping[int, str] | Iterable[int], context: dict | None = None,
           url: str = "") -> list[Notification]:
    """Tell `recipients` (user ids, or user id → their link) of an event of `kind`: an inbox record each,
    once per event_key, and an email each after commit. Returns the records made now (none for an event
    told before). Runs in the caller's transaction."""
    links = dict(recipients) if isinstance(recipients, Mapping) else dict.fromkeys(recipients, url)
    return notify_events(kind=kind, events=[(event_key, links, context or {})])


def notify_events(*, kind: str, events: list[tuple[str, dict[int, str], dict]]) -> list[Notification]:
    """`notify` for several events of one kind, (event_key, {user id: link}, context) each, in four queries
    whatever their number (a checkout paying several orders). Runs in the caller's transaction (or commits
    at once without one): its records stand or fall with the event they tell of."""
    if kind not in KINDS:
        raise ApplicationError(f"Unknown notification kind '{kind}'.", code="unknown_kind", field="kind")
    for event_key, _links, context in events:
        if not event_key or len(event_key) > 200:
            raise ApplicationError("An event key of 1 to 200 characters names the event.",
                                   code="invalid_event_key", field="event_key")
        try:
            json.dumps(context)
        except (TypeError, ValueError) as exc:
            raise ApplicationError(f"The context must be JSON: {exc}", code="invalid_context",
                                   field="context") from exc
    wanted = {(event_key, user_id): (link, context) for event_key, links, context in events
              for user_id, link in links.items() if user_id}
    if not wanted:
        return []
    # Only users that exist (PostgreSQL checks the foreign key at commit, too late to leave one out).
    users = set(get_user_model().objects.filter(pk__in={user_id for _key, user_id in wanted})
                .values_list("pk", flat=True))
    keys = {event_key for event_key, _user_id in wanted}
    told = set(Notification.objects.filter(event_key__in=keys, recipient_id__in=users)
               .values_list("event_key", "recipient_id"))
    started = timezone.now()
    new = {(event_key, user_id): Notification(kind=kind, event_key=event_key, recipient_id=user_id,
                                              context=context, url=(link or "")[:300], created_at=started)
           for (event_key, user_id), (link, context) in wanted.items()
           if user_id in users and (event_key, user_id) not in told}
    if not new:
        return []
    # A concurrent teller of the same event loses quietly to the unique constraint; reading back the rows
    # made from `started` on may then count its row too, whose email is sent once all the same.
    Notification.objects.bulk_create(new.values(), ignore_conflicts=True)
    made = [notification for notification in Notification.objects.filter(
        event_key__in={key for key, _user_id in new}, recipient_id__in={user_id for _key, user_id in new},
        created_at__gte=started).order_by("pk") if (notification.event_key, notification.recipient_id) in new]
    ids = [notification.pk for notification in made]
    if ids:
        transaction.on_commit(lambda: _enqueue_emails(ids), robust=True)
    return made


def _enqueue_emails(ids: list[int]) -> None:
    """After commit; a message the broker lost is sent again by beat (`notification_emails_redrive`)."""
    from notifications.tasks import notification_email

    for notification_id in ids:
        notification_email.delay(notification_id)


def email_wanted(*, user_id: int, kind: str) -> bool:
    return not EmailPreference.objects.filter(user_id=user_id, kind=kind, email=False).exists()


def notification_email_send(*, notification_id: int) -> str:
    """Email one notification in its recipient's language, once (module docstring). Returns its email status."""
    from notifications.rendering import render_email

    with transaction.atomic():
        notification = (Notification.objects.select_for_update(of=("self",)).select_related("recipient")
                        .filter(pk=notification_id).first())
        if notification is None:
            return "missing"
        if notification.email_status != Notification.Email.PENDING:
            return notification.email_status  # sent (or decided) already: a retry sends nothing
        user = notification.recipient
        if not (user.is_active and user.email) or not email_wanted(user_id=user.pk, kind=notification.kind):
            notification.email_status = Notification.Email.SKIPPED
            notification.save(update_fields=["email_status"])
            return notification.email_status
        subject, text, html = render_email(notification)
        message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
        message.attach_alternative(html, "text/html")
        try:
            message.send()
        except _transient_email_errors() as exc:
            raise EmailUnavailable(f"The email backend failed: {exc}") from exc
        notification.email_status = Notification.Email.SENT
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["email_status", "emailed_at"])
    return notification.email_status


def notification_email_failed(*, notification_id: int, error: str) -> str:
    """The retries are spent: the email is marked failed (the inbox still has the notification)."""
    with transaction.atomic():
        updated = Notification.objects.filter(pk=notification_id, email_status=Notification.Email.PENDING).update(
            email_status=Notification.Email.FAILED, email_error=error[:300])
    return "failed" if updated else "unchanged"


def notification_emails_redrive(*, older_than_seconds: float = 300) -> int:
    """Beat: enqueue again the emails still pending a while after their record (a message lost before a
    worker took it). Sending is idempotent, so one enqueued twice is sent once."""
    from notifications.tasks import notification_email

    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(Notification.objects.filter(email_status=Notification.Email.PENDING, created_at__lt=cutoff,
                                           created_at__gt=cutoff - timedelta(days=2))
               .order_by("pk").values_list("pk", flat=True)[:500])
    for notification_id in ids:
        notification_email.delay(notification_id)
    return len(ids)


def notification_mark_read(*, user, notification_id: int) -> Notification:
    """Mark one of the user's notifications read (again: nothing changes). Another user's is not found."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id, recipient=user).first()
        if notification is None:
            raise NotFound("No such notification.")
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user) -> int:
    with transaction.atomic():
        return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def email_preferences_set(*, user, email_kinds: Iterable[str]) -> set[str]:
    """The kinds the user wants by email; the others are turned off (their inbox records are kept)."""
    wanted = set(email_kinds)
    unknown = wanted - set(KINDS)
    if unknown:
        raise ApplicationError(f"Unknown notification kind: {', '.join(sorted(unknown))}.", code="unknown_kind",
                               field="email")
    with transaction.atomic():
        for key in KINDS:
            EmailPreference.objects.update_or_create(user=user, kind=key, defaults={"email": key in wanted})
    return wanted
