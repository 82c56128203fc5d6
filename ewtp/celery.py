"""The Celery app. Task conventions (see DESIGN.md): ids in, idempotent, acks_late with
reject_on_worker_lost, time limits, enqueued on commit, long waits re-driven by beat."""

import os

from celery import Celery
from celery.signals import (
    after_setup_logger,
    after_setup_task_logger,
    task_prerun,
    worker_init,
    worker_process_init,
)
from kombu.transport import TRANSPORT_ALIASES

# Importing `ewtp` (gunicorn's ewtp.wsgi, `celery -A ewtp`) runs this first: servers default to production
# settings, which refuse to start without real secrets; `make run` and manage.py name development.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ewtp.settings.production")
# `filesystem://` (the embedded broker) is kombu's transport made to survive a bad message file.
TRANSPORT_ALIASES["filesystem"] = "ewtp.broker:Transport"

app = Celery("ewtp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Celery's Django fix-up closes every database connection before and after each task unless
# `db_reuse_max` is set: a new PostgreSQL connection per task (~3 ms here, and a backend
# process on the server), more than most of our tasks' own work. Keep connections as Django's
# request cycle does instead: CONN_MAX_AGE decides (below), and the fix-up still recycles them
# every 1,000 tasks.
app.conf["CELERY_DB_REUSE_MAX"] = 1000  # the fix-up reads this exact (old-style) key


@worker_init.connect
@worker_process_init.connect
def _no_health_check_per_task(**kwargs) -> None:
    """CONN_HEALTH_CHECKS pings the database before each request's first query; before each task
    that is a fifth of a clearance step's queries. A worker finds a dead connection by the task's
    error instead: every step retries OperationalError, and the next task's check closes it."""
    from django.db import connections

    for alias in connections:
        connections[alias].settings_dict["CONN_HEALTH_CHECKS"] = False


@after_setup_logger.connect
@after_setup_task_logger.connect
def _redact_personal_data_in_worker_logs(**kwargs) -> None:
    """The worker replaces the root logger's handlers with its own: they get the filter that keeps personal
    data out of the logs (ewtp/log_redaction.py), as settings LOGGING gives it to the web's handlers."""
    from ewtp.log_redaction import install_on_all_handlers

    install_on_all_handlers()


@task_prerun.connect
def _close_old_connections(task=None, **kwargs) -> None:
    if task is not None and task.request.is_eager:
        return  # run inline by the caller, inside the caller's connection and transaction
    from django.db import close_old_connections

    close_old_connections()


@app.task(name="ewtp.noop", acks_late=True)
def noop() -> None:
    """A task that does nothing: the baseline the benchmarks compare against."""
