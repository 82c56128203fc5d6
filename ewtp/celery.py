"""The Celery app. Task conventions (see DESIGN.md): ids in, idempotent, acks_late with
reject_on_worker_lost, time limits, enqueued on commit, long waits re-driven by beat."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ewtp.settings")

app = Celery("ewtp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="ewtp.noop", acks_late=True)
def noop() -> None:
    """A task that does nothing: the baseline the benchmarks compare against."""
