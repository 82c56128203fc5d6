"""Settings of the worker processes the reliability tests start and kill: the project's settings
with short clearance re-drive times, so that beat picks up what a killed worker left behind
within seconds instead of minutes."""

from ewtp.settings.test import *  # noqa: F403

CLEARANCE_STUCK_AFTER_SECONDS = 2
CUSTOMS_AUTHORITY_DELAY_SECONDS = 1
CELERY_BEAT_SCHEDULE = {  # noqa: F405
    **CELERY_BEAT_SCHEDULE,  # noqa: F405
    "customs-redrive-stuck-cases": {"task": "customs.tasks.clearance_redrive", "schedule": 1.0},
    "customs-reconcile-authority": {"task": "customs.tasks.clearance_reconcile", "schedule": 1.0},
}
