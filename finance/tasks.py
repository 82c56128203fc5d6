from ewtp.tasks import service_task


@service_task(max_retries=0)  # beat runs it again soon
def advances_mark_overdue() -> int:
    """Beat: advances past their due date that still owe become overdue."""
    from finance.services import advances_mark_overdue as mark

    return mark()
