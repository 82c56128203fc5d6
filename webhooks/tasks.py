from ewtp.tasks import service_task


@service_task(max_retries=3, soft_time_limit=60, time_limit=90)
def webhook_deliver(delivery_id: int) -> None:
    """Attempt a delivery if one is due (twice is harmless: one POST per attempt); a short wait before
    the next attempt is enqueued here, a long one is left to beat."""
    from webhooks.services import COUNTDOWN_MAX_SECONDS, delivery_attempt

    wait = delivery_attempt(delivery_id=delivery_id)
    if wait is not None and wait <= COUNTDOWN_MAX_SECONDS:
        webhook_deliver.apply_async((delivery_id,), countdown=wait)


@service_task(max_retries=0)  # beat runs it again soon
def deliveries_due() -> int:
    """Beat: the deliveries whose next attempt is due."""
    from webhooks.services import deliveries_due as due

    return due()
