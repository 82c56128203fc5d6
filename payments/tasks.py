from ewtp.tasks import service_task


@service_task(retry_backoff=5)
def provider_event_process(event_pk: int) -> None:
    from payments.services import provider_event_process as process

    process(event_pk=event_pk)


@service_task(retry_backoff=60, retry_backoff_max=1800)
def fx_refresh() -> str:
    """The ECB's newest reference rates from FX_SOURCE_URL (beat, a few times a day); nothing to fetch when
    it is unset (offline: the shipped files are the rates). An unreachable server is tried again."""
    from django.conf import settings

    from payments.services import fx_refresh as refresh

    if not settings.FX_SOURCE_URL:
        return "offline: no FX_SOURCE_URL, the shipped rates stay"
    return refresh(settings.FX_SOURCE_URL)
