from ewtp.tasks import service_task


@service_task(max_retries=0, soft_time_limit=300, time_limit=360)  # beat runs it again in six hours
def erasure_purge_due() -> int:
    """Beat: anonymise the records kept after an erasure once their retention period is over."""
    from privacy.services import erasure_purge_due as purge

    return purge()
