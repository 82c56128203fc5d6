"""Clearance throughput: shipments through the whole pipeline on 2 worker processes and Redis.

Run (Redis and, ideally, PostgreSQL):
    CELERY_BROKER_URL=redis://127.0.0.1:6379/0 DATABASE_URL=postgres://... \\
        .venv/bin/python bench/clearance.py [--cases 1000] [--noops 2000]

In one run, on the same worker (one `celery worker --concurrency 2`, DEBUG off as in production,
simulated authority answering at once). Both workloads are queued while the worker is told not to
consume (Celery's cancel_consumer), then timed from add_consumer, so that the bench's own
enqueueing does not compete with the worker for the two cores in one phase more than the other:
  1. baseline: `ewtp.noop` tasks per second (queue N, consume, wait until the queue and the
     unacked set drain);
  2. pipeline: N cases opened with `case_open` (one in ten held for value, the rest auto-released,
     lodged, answered and cleared), cases per minute until every case is cleared or held, and
     p50/p95 from declaration to decision (declared_at → decided_at, or held_at for a hold);
  3. screening one party against the loaded lists (OFAC SDN, 14,965 entries): p50/p95 in ms.
Prints the ratios: pipeline cases/s over the no-op rate per case, i.e. no-op tasks/s ÷ the tasks a
case took (the worker counts them; target ≥ 0.3), and screening p95 over 20 ms.
The cases it made are deleted at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
QUEUE = f"bench-clearance-{uuid.uuid4().hex[:6]}"
WORKER_NAME = f"{QUEUE}@{socket.gethostname()}"
os.environ["CELERY_QUEUE"] = QUEUE
# As in production: with DEBUG on, Django records every query in memory (Celery warns of the leak).
os.environ["DEBUG"] = "false"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ewtp.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

WORKER_SETTINGS = ROOT / "bench" / "_clearance_worker_settings.py"
COUNTER = f"{QUEUE}:tasks-run"
# The worker counts every task it finishes in Redis (one INCR, for no-ops and pipeline steps alike),
# so the bench reports how many tasks a case really took instead of assuming it.
WORKER_SETTINGS_TEXT = """from ewtp.settings import *  # noqa: F403
import redis as _redis
from celery.signals import task_postrun as _task_postrun

CUSTOMS_AUTHORITY_DELAY_SECONDS = 0
_counter = _redis.Redis.from_url(CELERY_BROKER_URL)  # noqa: F405


@_task_postrun.connect(weak=False)
def _count(**kwargs):
    _counter.incr("{counter}")
"""


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))] if ordered else float("nan")


def redis_client():
    import redis

    return redis.Redis.from_url(settings.CELERY_BROKER_URL)


def drained(client) -> bool:
    """Nothing waiting in our queue and nothing of ours delivered but not yet acknowledged (the
    Redis transport keeps those in one `unacked` hash shared by every queue)."""
    if client.llen(QUEUE):
        return False
    marker = QUEUE.encode()
    return not any(marker in value for value in client.hvals("unacked"))


def start_worker(log_path: Path) -> subprocess.Popen:
    WORKER_SETTINGS.write_text(WORKER_SETTINGS_TEXT.format(counter=COUNTER))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench._clearance_worker_settings"}
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "ewtp", "worker", "--loglevel", "WARNING", "--concurrency", "2",
         "--pool", "prefork", "-n", WORKER_NAME],
        cwd=ROOT, env=env, stdout=open(log_path, "w"), stderr=subprocess.STDOUT, start_new_session=True)


def wait_ready(client, timeout: float = 60) -> None:
    from ewtp.celery import noop

    noop.delay()
    deadline = time.monotonic() + timeout
    while not drained(client):
        if time.monotonic() > deadline:
            raise SystemExit("the worker did not start; see the log")
        time.sleep(0.2)


def consume(on: bool) -> None:
    """Start or stop the worker taking tasks from the bench's queue (it answers once it has)."""
    from ewtp.celery import app

    command = app.control.add_consumer if on else app.control.cancel_consumer
    if not command(QUEUE, destination=[WORKER_NAME], reply=True, timeout=10):
        raise SystemExit("the worker did not answer the remote-control command; see the log")


def bench_noop(client, count: int) -> float:
    from ewtp.celery import noop

    consume(False)
    for _ in range(count):
        noop.delay()
    started = time.monotonic()
    consume(True)
    while not drained(client):
        time.sleep(0.05)
    return count / (time.monotonic() - started)


def declaration(rng: random.Random, index: int) -> dict:
    value = "9000.00" if index % 10 == 0 else f"{rng.randint(60, 300)}.00"
    return {
        "consignor": {"name": "Li Wei", "company": f"{rng.choice(['Jade', 'Lotus', 'Crane'])} Tea Co {index % 50}",
                      "country": "CN", "lines": ["18 Longjing Road"], "city": "Hangzhou"},
        "consignee": {"name": f"{rng.choice(['Anna', 'Jonas', 'Mia', 'Paul'])} Becker {index}", "country": "DE",
                      "lines": ["Torstraße 45"], "city": "Berlin"},
        "incoterm": "DDP", "currency": "CNY", "origin_country": "CN",
        "lines": [{"description": "Longjing green tea 250 g", "hs_code": "090210", "quantity": 1, "unit_value": value,
                   "origin": "CN", "net_weight_kg": "0.350"}],
    }


def tasks_run(client) -> int:
    return int(client.get(COUNTER) or 0)


def bench_pipeline(count: int, run: str) -> tuple[float, list[float], int]:
    from customs.models import ClearanceCase
    from customs.services import case_open

    rng = random.Random(7)
    consume(False)
    for index in range(count):
        case_open(shipment_reference=f"BENCH-{run}-{index:05d}", company_id=900000 + index % 50, buyer_id=1,
                  destination="DE", declaration=declaration(rng, index))
    started = time.monotonic()
    consume(True)
    cases = ClearanceCase.objects.filter(shipment_reference__startswith=f"BENCH-{run}-")
    while cases.filter(status__in=["cleared", "held", "error", "rejected", "queried"]).count() < count:
        time.sleep(0.25)
    elapsed = time.monotonic() - started
    latencies = [((decided or held) - declared).total_seconds()
                 for declared, decided, held in cases.values_list("declared_at", "decided_at", "held_at")]
    return count / elapsed, latencies, cases.filter(status="error").count()


def bench_screening(names: int) -> list[float]:
    from customs.screening import screening_index

    index = screening_index()
    rng = random.Random(11)
    listed = [p.name for p in rng.sample(index.parties, min(names // 2, len(index.parties)))]
    plain = [f"{rng.choice(['Jade', 'Lotus', 'Harvest', 'Oak'])} {rng.choice(['Tea', 'Batik', 'Spice'])} "
             f"{rng.choice(['Co., Ltd.', 'GmbH', 'Pte Ltd'])}" for _ in range(names - len(listed))]
    timings = []
    for name in listed + plain:
        t0 = time.perf_counter()
        index.screen(name, None, threshold=88, limit=3)
        timings.append((time.perf_counter() - t0) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--noops", type=int, default=2000)
    args = parser.parse_args()
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        raise SystemExit("bench/clearance.py needs Redis: set CELERY_BROKER_URL=redis://127.0.0.1:6379/0")
    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    client = redis_client()
    log = Path(settings.VAR_DIR) / "bench-clearance-worker.log"
    worker = start_worker(log)
    run = uuid.uuid4().hex[:6]
    try:
        wait_ready(client)
        noop_rate = bench_noop(client, args.noops)
        before = tasks_run(client)
        case_rate, latencies, errors = bench_pipeline(args.cases, run)
        tasks_per_case = (tasks_run(client) - before) / args.cases  # counted when the last case decided
    finally:
        client.delete(COUNTER)
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
        WORKER_SETTINGS.unlink(missing_ok=True)
        from customs.models import ClearanceCase

        ClearanceCase.objects.filter(shipment_reference__startswith=f"BENCH-{run}-").delete()
    screen_ms = bench_screening(1000)
    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"clearance bench: {args.cases} cases, 2 worker processes, Redis broker, {db} database")
    print(f"  no-op baseline:   {noop_rate:8.1f} tasks/s")
    print(f"  pipeline:         {case_rate * 60:8.1f} cases/min ({case_rate:.2f} cases/s, "
          f"{tasks_per_case:.1f} tasks a case counted by the worker), {errors} in error")
    print(f"  declaration → decision: p50 {percentile(latencies, 0.5):.2f} s, p95 {percentile(latencies, 0.95):.2f} s")
    # A case is several tasks, so the no-op rate per case is the no-op rate ÷ tasks a case.
    ratio = case_rate / (noop_rate / tasks_per_case)
    print(f"  ratio cases/s ÷ (no-op tasks/s per case): {ratio:.2f} (target ≥ 0.3); "
          f"plain cases/s ÷ no-op tasks/s: {case_rate / noop_rate:.3f}")
    p50, p95 = percentile(screen_ms, 0.5), percentile(screen_ms, 0.95)
    print(f"  screening one party: p50 {p50:.2f} ms, p95 {p95:.2f} ms; p95 ÷ 20 ms target = {p95 / 20:.2f}")


if __name__ == "__main__":
    main()
