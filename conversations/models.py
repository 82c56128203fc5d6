from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ewtp.files import private_storage

BODY_MAX_CHARS = 2000
ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024


class Thread(models.Model):
    """The conversation about one order or one request for quotation, between its buyer and the seller's
    company. Made when the first message is posted (reading an empty one makes nothing)."""

    class Kind(models.TextChoices):
        ORDER = "order", _("Order")
        RFQ = "rfq", _("Request for quotation")

    kind = models.CharField(max_length=5, choices=Kind.choices)
    order = models.OneToOneField("marketplace.Order", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="thread")
    rfq = models.OneToOneField("marketplace.Rfq", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="thread")
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="order", order__isnull=False, rfq__isnull=True)
                           | Q(kind="rfq", rfq__isnull=False, order__isnull=True)),
                name="thread_about_one_order_or_rfq"),
        ]

    def __str__(self) -> str:
        return f"Thread {self.kind} {self.order_id or self.rfq_id}"


def attachment_path(instance, filename: str) -> str:
    """A random name with the extension of the kind the service detected (never the uploader's name)."""
    from ewtp.files import random_name

    return random_name("conversations", instance.attachment_kind or "bin")


class Message(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=BODY_MAX_CHARS)
    attachment = models.FileField(upload_to=attachment_path, storage=private_storage, blank=True)
    attachment_name = models.CharField(max_length=200, blank=True)  # as the author named it, for the download
    attachment_kind = models.CharField(max_length=4, blank=True)  # pdf | png | jpg, from its bytes
    # The client's key for this post: the same key again (a double click, a replayed request) returns the
    # message already made instead of a second one.
    client_key = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["thread", "author", "client_key"], condition=~Q(client_key=""),
                                    name="message_once_per_client_key"),
            models.CheckConstraint(condition=~Q(body=""), name="message_has_a_body"),
        ]


class ReadMarker(models.Model):
    """How far a user has read a thread: the last message they saw."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="read_markers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_id = models.BigIntegerField(default=0)
    read_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="one_read_marker_per_user")]
