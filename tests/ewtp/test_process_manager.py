"""`make run`'s process manager, from the real supervisord.conf on the embedded defaults: a worker killed
outright is started again, and the web server answers all the while (honcho stopped every process when
one exited); stopping supervisord stops all of them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import wait_for

ROOT = Path(__file__).resolve().parent.parent.parent
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.xdist_group("worker")  # with the other tests that start real workers


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def health(port: int) -> int | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            return response.status
    except OSError:
        return None


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_killed_worker_is_started_again_while_the_web_server_keeps_answering(tmp_path):
    port = free_port()
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "PORT": str(port),
           "EWTP_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "ewtp.settings.development",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "CELERY_BROKER_URL": "filesystem://"}

    def ctl(*args: str) -> str:
        return subprocess.run([str(BIN / "supervisorctl"), "-c", "supervisord.conf", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=30).stdout.strip()

    def running_pid(name: str) -> int | None:
        return int(ctl("pid", name)) if "RUNNING" in ctl("status", name) else None

    log = (tmp_path / "supervisord.out").open("w")
    manager = subprocess.Popen([str(BIN / "supervisord"), "-c", "supervisord.conf"], cwd=ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    try:
        # given web, worker and beat running
        wait_for(lambda: health(port) == 200, timeout=90, what="the web server's /healthz")
        web = wait_for(lambda: running_pid("web"), timeout=90, what="web RUNNING")
        worker = wait_for(lambda: running_pid("worker"), timeout=90, what="worker RUNNING")
        wait_for(lambda: running_pid("beat"), timeout=90, what="beat RUNNING")
        # when the worker dies without a word
        os.kill(worker, signal.SIGKILL)
        # then the web server keeps answering, and a new worker is started
        assert health(port) == 200
        restarted = wait_for(lambda: (pid := running_pid("worker")) and pid != worker and pid, timeout=90,
                             what="a new worker")
        assert restarted != worker and not alive(worker)
        assert running_pid("web") == web and health(port) == 200
    finally:
        # and stopping the manager (Ctrl-C) stops them all
        manager.send_signal(signal.SIGINT)
        manager.wait(timeout=60)
        log.close()
    assert not alive(web) and not alive(restarted)
