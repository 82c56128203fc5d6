from ewtp.tasks import service_task


@service_task(retry_backoff=5)
def provider_event_process(event_pk: int) -> None:
    from payments.services import provider_event_process as process

    process(event_pk=event_pk)
