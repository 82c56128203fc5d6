"""What the platform told a user (the in-app inbox) and how each email went, and what a user wants by email."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Notification(models.Model):
    """One event told to one user: kept whatever the email preference (the inbox shows it). An event
    retried (a signal sent again, a task run twice) finds its row and records nothing more."""

    class Email(models.TextChoices):
        PENDING = "pending", "Pending"  # the email task has not run yet
        SENT = "sent", "Sent"  # handed to the email backend once; never again
        SKIPPED = "skipped", "Not sent"  # the user turned this kind's email off, or has no address
        FAILED = "failed", "Failed"  # the backend kept failing; the retries are spent

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40)  # a key of notifications.kinds.KINDS
    # What happened, once: "order_paid:ORD-12", "shipment_delivered:7:1". Unique with the recipient.
    event_key = models.CharField(max_length=200)
    context = models.JSONField(default=dict, blank=True)  # what the kind's templates say (strings and numbers)
    url = models.CharField(max_length=300, blank=True)  # the object it is about, for this recipient
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(max_length=10, choices=Email.choices, default=Email.PENDING)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["event_key", "recipient"], name="one_notification_per_event_and_user"),
            models.CheckConstraint(condition=Q(email_status__in=["pending", "sent", "skipped", "failed"]),
                                   name="notification_email_status_valid"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class EmailPreference(models.Model):
    """A user's choice for one kind of notification; without a row, the email is sent."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preferences")
    kind = models.CharField(max_length=40)
    email = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_email_preference_per_kind")]
