from ewtp.exceptions import TransientError
from ewtp.tasks import service_task
from logistics.integrations.base import CarrierError


def _booking_kept_failing(error: Exception, shipment_id: int) -> None:
    from logistics.services import shipment_booking_failed

    shipment_booking_failed(shipment_id=shipment_id, reason=str(error))


@service_task(retry_backoff=5, retry_backoff_max=300, gave_up=_booking_kept_failing)
def shipment_book(shipment_id: int) -> None:
    from logistics.services import shipment_book as book
    from logistics.services import shipment_booking_failed

    try:
        book(shipment_id=shipment_id)
    except TransientError:
        raise  # retried by @service_task, then `_booking_kept_failing` shows the seller why
    except CarrierError as exc:  # the carrier said no: retrying will not change its mind
        shipment_booking_failed(shipment_id=shipment_id, reason=str(exc))


@service_task(max_retries=3)
def shipment_track(shipment_id: int) -> None:
    from logistics.services import shipment_track as track

    track(shipment_id=shipment_id)


@service_task(max_retries=0)  # beat runs it again soon
def tracking_poll_all() -> None:
    """Beat: ask the carrier for news of every shipment still on its way."""
    from logistics.selectors import shipments_in_flight

    for shipment_id in shipments_in_flight():
        shipment_track.delay(shipment_id)
