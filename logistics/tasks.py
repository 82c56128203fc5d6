from celery import shared_task
from django.db import OperationalError

from ewtp.exceptions import TransientError
from logistics.integrations.base import CarrierError


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True,
             retry_jitter=True, max_retries=5, soft_time_limit=60, time_limit=90)
def shipment_book(self, shipment_id: int) -> None:
    from logistics.services import shipment_book as book
    from logistics.services import shipment_booking_failed

    try:
        book(shipment_id=shipment_id)
    except CarrierError as exc:
        if isinstance(exc, TransientError) and self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=min(2 ** self.request.retries * 5, 300)) from exc
        shipment_booking_failed(shipment_id=shipment_id, reason=str(exc))


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3,
             soft_time_limit=60, time_limit=90)
def shipment_track(shipment_id: int) -> None:
    from logistics.services import shipment_track as track

    track(shipment_id=shipment_id)


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def tracking_poll_all() -> None:
    """Beat: ask the carrier for news of every shipment still on its way."""
    from logistics.selectors import shipments_in_flight

    for shipment_id in shipments_in_flight():
        shipment_track.delay(shipment_id)
