"""The embedded broker (`filesystem://` under var/, the default of `make run`) survives bad message
files: a real worker moves an empty, a garbage, a truncated and a wrong-shaped file aside to bad/,
logs them, stays up and runs the task queued after them (ewtp/broker.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
from kombu import Connection

from ewtp.celery import app
from tests.conftest import ROOT, _stop_process_group, wait_for

pytestmark = pytest.mark.xdist_group("worker")

BAD = {
    "empty": b"",
    "garbage": b"\x00\xffnot a message {",
    "truncated": b'{"body": "W1tdLCB7fSwgeyJjYWxsYmFja3MiOiBudWxsfV0=", "content-encoding": "utf-8", "prop',
    "not-an-envelope": b"[1, 2, 3]",
}


@pytest.fixture
def broker(tmp_path):
    """A filesystem broker in a folder of its own, and its transport options."""
    folders = {name: tmp_path / "celery-broker" / name for name in ("queue", "processed", "control", "bad")}
    options = {"data_folder_in": str(folders["queue"]), "data_folder_out": str(folders["queue"]),
               "processed_folder": str(folders["processed"]), "control_folder": str(folders["control"]),
               "bad_folder": str(folders["bad"]), "store_processed": False, "polling_interval": 0.1}
    return folders, options


@pytest.fixture
def worker(tmp_path, broker):
    """A real `celery worker` on that broker (the settings build the same folders under EWTP_VAR_DIR)."""
    env = {**os.environ, "CELERY_BROKER_URL": "filesystem://", "EWTP_VAR_DIR": str(tmp_path)}
    env.pop("REDIS_URL", None)
    log_path = tmp_path / "worker.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "ewtp", "worker", "--loglevel", "INFO", "--concurrency", "1",
             "--pool", "solo", "-n", f"broker-{uuid.uuid4().hex[:6]}@%h"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    wait_for(lambda: "ready." in log_path.read_text(), timeout=60, what="the worker to start")
    yield process, log_path
    if process.poll() is None:  # (a failing test may have seen it die)
        _stop_process_group(process)
    if os.environ.get("SHOW_WORKER_LOG"):
        print(log_path.read_text())


def test_bad_message_files_are_moved_aside_and_the_next_task_runs(broker, worker):
    folders, options = broker
    process, log_path = worker
    queue = app.conf.task_default_queue
    # given bad files at the head of the worker's queue (names sort before any real message)
    for index, (kind, content) in enumerate(BAD.items()):
        (folders["queue"] / f"000000{index}_{kind}.{queue}.msg").write_bytes(content)
    # when a good task is queued behind them
    with Connection("filesystem://", transport_options=options) as connection:
        task_id = app.send_task("ewtp.noop", connection=connection, queue=queue).id
    # then the worker runs it and is still up
    wait_for(lambda: f"Task ewtp.noop[{task_id}] succeeded" in log_path.read_text() or process.poll() is not None,
             timeout=30, what="the good task to run")
    log = log_path.read_text()
    assert process.poll() is None, log
    assert f"Task ewtp.noop[{task_id}] succeeded" in log
    # and every bad file waits in bad/, named in the log, and the queue is empty
    assert sorted(path.name.split(".")[0] for path in folders["bad"].iterdir()) == sorted(
        f"000000{index}_{kind}" for index, kind in enumerate(BAD))
    for kind in BAD:
        assert f"_{kind}.{queue}.msg is not a message" in log
    assert list(folders["queue"].iterdir()) == []
