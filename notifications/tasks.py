"""Notification tasks: ids in, one service each."""

from ewtp.tasks import service_task


def _email_gave_up(error, notification_id: int) -> str:
    from notifications.services import notification_email_failed

    return notification_email_failed(notification_id=notification_id, error=str(error))


@service_task(max_retries=5, retry_backoff=5, soft_time_limit=30, time_limit=45, gave_up=_email_gave_up)
def notification_email(notification_id: int) -> str:
    """Email one notification, once, however often this runs."""
    from notifications.services import notification_email_send

    return notification_email_send(notification_id=notification_id)


@service_task()
def notification_emails_redrive() -> int:
    """Beat: pending emails whose message was lost are enqueued again."""
    from notifications.services import notification_emails_redrive as redrive

    return redrive()
