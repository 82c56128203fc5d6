"""Writes: posting a message to an order's or an RFQ's thread, and read markers. Only the two parties may
write (the buyer, and members of the seller's company); anyone else is told there is no such thing."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from conversations.models import ATTACHMENT_MAX_BYTES, BODY_MAX_CHARS, Message, ReadMarker, Thread
from conversations.selectors import Party, party_of
from conversations.signals import message_posted
from ewtp.exceptions import ApplicationError
from ewtp.files import sniff_upload

ATTACHMENT_KINDS = ("pdf", "png", "jpg")


def check_message(*, body: str, attachment=None, client_key: str = "") -> tuple[str, str]:
    """(the body as kept, the attachment's kind or ""), or the first fault at its field."""
    if not isinstance(body, str):
        raise ApplicationError(_("Write a message."), code="required", field="body")
    body = body.strip()
    if not body:
        raise ApplicationError(_("Write a message."), code="required", field="body")
    if len(body) > BODY_MAX_CHARS:
        raise ApplicationError(format_lazy(_("Keep the message to {limit} characters or fewer (it has {count})."),
                                           limit=f"{BODY_MAX_CHARS:,}", count=f"{len(body):,}"),
                               code="too_long", field="body")
    if not isinstance(client_key, str) or len(client_key) > 80:
        raise ApplicationError(_("The message key is at most 80 characters."), code="invalid", field="client_key")
    kind = ""
    if attachment is not None:
        if attachment.size > ATTACHMENT_MAX_BYTES:
            raise ApplicationError(format_lazy(_("The file is larger than {size} MB."),
                                               size=ATTACHMENT_MAX_BYTES // (1024 * 1024)),
                                   code="file_too_large", field="attachment")
        kind = sniff_upload(attachment) or ""
        if kind not in ATTACHMENT_KINDS:
            raise ApplicationError(_("Attach a PDF, PNG or JPEG file."), code="invalid_file_type", field="attachment")
    return body, kind


def message_post(*, user, kind: str, object_id: int, body: str, attachment=None, client_key: str = "") -> Message:
    """Post to the thread of an order or RFQ the user is a party to (else NotFound). The same client_key
    again returns the message already posted, unchanged, and sends nothing. `message_posted` goes out once
    the transaction commits."""
    party = party_of(user=user, kind=kind, object_id=object_id)
    body, attachment_kind = check_message(body=body, attachment=attachment, client_key=client_key)
    with transaction.atomic():
        thread = _thread_locked(party)
        if client_key:
            existing = Message.objects.filter(thread=thread, author=user, client_key=client_key).first()
            if existing is not None:
                return existing
        message = Message(thread=thread, author=user, body=body, client_key=client_key)
        if attachment is not None:
            message.attachment_kind = attachment_kind
            message.attachment_name = _safe_name(getattr(attachment, "name", ""), attachment_kind)
            message.attachment = attachment
        message.save()
        thread.last_message_at = message.created_at
        thread.save(update_fields=["last_message_at"])
        _mark(thread, user, message.pk)
        recipients = party.recipients_other_than(user)
        transaction.on_commit(lambda: message_posted.send(
            sender=Message, message_id=message.pk, thread_id=thread.pk, author_id=user.pk,
            recipient_ids=recipients))
    return message


def thread_mark_read(*, user, kind: str, object_id: int) -> int:
    """The user has read the thread to its latest message; returns that message's id (0: no thread yet)."""
    party = party_of(user=user, kind=kind, object_id=object_id)
    thread = Thread.objects.filter(**{party.kind: party.object_id}).first()
    if thread is None:
        return 0
    latest = thread.messages.aggregate(latest=Max("id"))["latest"] or 0
    if latest:
        _mark(thread, user, latest)
    return latest


def _thread_locked(party: Party) -> Thread:
    lookup = {party.kind: party.object_id}
    thread = Thread.objects.select_for_update().filter(**lookup).first()
    if thread is None:
        try:
            with transaction.atomic():
                Thread.objects.create(kind=party.kind, **{f"{party.kind}_id": party.object_id})
        except IntegrityError:
            pass  # made by a concurrent first post: take it
        thread = Thread.objects.select_for_update().get(**lookup)
    return thread


def _mark(thread: Thread, user, message_id: int) -> None:
    marker, made = ReadMarker.objects.get_or_create(thread=thread, user=user, defaults={"last_read_id": message_id})
    if not made and marker.last_read_id < message_id:
        ReadMarker.objects.filter(pk=marker.pk, last_read_id__lt=message_id).update(last_read_id=message_id,
                                                                                      read_at=timezone.now())


def _safe_name(name: str, kind: str) -> str:
    """The author's file name for the download, without paths or quotes, with the extension of its kind."""
    stem = str(name).replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    stem = "".join(ch for ch in stem if ch.isalnum() or ch in " -_")[:100].strip() or "attachment"
    return f"{stem}.{kind}"
