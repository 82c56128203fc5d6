"""Clearance throughput: shipments through the whole pipeline on 2 worker processes and Redis.

Run (Redis and, ideally, PostgreSQL):
    CELERY_BROKER_URL=redis://127.0.0.1:6379/0 DATABASE_URL=postgres://... \\
        .venv/bin/python bench/clearance.py [--cases 1000] [--rounds 10] [--noops 1000]

One worker (`celery worker --concurrency 2`, or each of `--concurrency 2 4`, DEBUG off as in production, the simulated authority
answering at once) runs alternating rounds, so that the machine's drift (two shared cores) falls on
both sides of each ratio alike:
  1. baseline: `ewtp.noop` tasks per second;
  2. pipeline: cases (a share of --cases) opened with `case_open`: one in ten held for value, the
     rest auto-released, lodged, answered, cleared and notified. Cases per minute until every task
     is done, and p50/p95 from declaration to decision (declared_at → decided_at, or held_at).
Each workload is queued while the worker is told not to consume (Celery's cancel_consumer) and
timed from add_consumer until the queue and the unacknowledged set are empty, so the bench's own
enqueueing competes with neither. The worker's own counts (`inspect().stats()`) say how many tasks
a case took. Then: screening one party against the loaded lists (OFAC SDN, 14,965 entries).

Prints per round and as the median of the rounds: pipeline cases/s over the no-op rate per case,
i.e. no-op tasks/s ÷ the tasks a case took (target ≥ 0.3); and screening p95 over 20 ms.
The cases it made are deleted at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import statistics
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
os.environ["CUSTOMS_AUTHORITY_DELAY_SECONDS"] = "0"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ewtp.settings.development")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402


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


def start_worker(log_path: Path, concurrency: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "ewtp", "worker", "--loglevel", "WARNING", "--concurrency",
         str(concurrency),
         "--pool", "prefork", "-n", WORKER_NAME],
        cwd=ROOT, stdout=open(log_path, "w"), stderr=subprocess.STDOUT, start_new_session=True)


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


def tasks_done() -> int:
    """How many tasks the worker has run, by its own count."""
    from ewtp.celery import app

    stats = app.control.inspect(destination=[WORKER_NAME], timeout=10).stats() or {}
    return sum(stats.get(WORKER_NAME, {}).get("total", {}).values())


def run_queued(client) -> float:
    """Let the worker consume what was queued; seconds until everything is done and acknowledged."""
    started = time.monotonic()
    consume(True)
    while not drained(client):
        time.sleep(0.01)
    elapsed = time.monotonic() - started
    consume(False)
    return elapsed


def bench_noop(client, count: int) -> float:
    from ewtp.celery import noop

    for _ in range(count):
        noop.delay()
    return count / run_queued(client)


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


def bench_pipeline(client, rng: random.Random, indexes: range, run: str) -> tuple[float, float, list[float], int]:
    """Cases/s and tasks a case for one round's cases, their latencies, and how many ended in error."""
    from customs.models import ClearanceCase
    from customs.services import case_open

    for index in indexes:
        case_open(shipment_reference=f"BENCH-{run}-{index:05d}", company_id=900000 + index % 50, buyer_id=1,
                  destination="DE", declaration=declaration(rng, index))
    before = tasks_done()
    elapsed = run_queued(client)
    tasks = tasks_done() - before
    cases = ClearanceCase.objects.filter(shipment_reference__in=[f"BENCH-{run}-{i:05d}" for i in indexes])
    decided = cases.filter(status__in=["cleared", "held", "error", "rejected", "queried"]).count()
    if decided < len(indexes):
        raise SystemExit(f"{len(indexes) - decided} cases were left undecided; see the worker log")
    latencies = [((decided_at or held_at) - declared_at).total_seconds()
                 for declared_at, decided_at, held_at in cases.values_list("declared_at", "decided_at", "held_at")]
    return len(indexes) / elapsed, tasks / len(indexes), latencies, cases.filter(status="error").count()


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


def bench_concurrency(client, args, concurrency: int) -> dict:
    """The rounds on one worker of `concurrency` processes: the medians of the rounds."""
    log = Path(settings.VAR_DIR) / f"bench-clearance-worker-{concurrency}.log"
    worker = start_worker(log, concurrency)
    run = uuid.uuid4().hex[:6]
    rng = random.Random(7)
    per_round = args.cases // args.rounds
    rounds, latencies, errors = [], [], 0
    try:
        wait_ready(client)
        consume(False)
        for number in range(args.rounds):
            noop_rate = bench_noop(client, args.noops)
            indexes = range(number * per_round, (number + 1) * per_round)
            case_rate, tasks_per_case, round_latencies, round_errors = bench_pipeline(client, rng, indexes, run)
            latencies += round_latencies
            errors += round_errors
            # A case is several tasks, so the no-op rate per case is the no-op rate ÷ tasks a case.
            ratio = case_rate / (noop_rate / tasks_per_case)
            rounds.append((noop_rate, case_rate, tasks_per_case, ratio))
            print(f"  {concurrency} processes, round {number + 1}: no-op {noop_rate:6.1f} tasks/s, pipeline "
                  f"{case_rate * 60:7.1f} cases/min ({tasks_per_case:.2f} tasks a case), ratio {ratio:.2f}", flush=True)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
        from customs.models import ClearanceCase

        ClearanceCase.objects.filter(shipment_reference__startswith=f"BENCH-{run}-").delete()
    noop_rate, case_rate, tasks_per_case, ratio = (statistics.median(column) for column in zip(*rounds, strict=True))
    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"clearance bench: {per_round * args.rounds} cases in {args.rounds} rounds, {concurrency} worker processes, "
          f"Redis broker, {db} database; medians of the rounds:")
    print(f"  no-op baseline:   {noop_rate:8.1f} tasks/s")
    print(f"  pipeline:         {case_rate * 60:8.1f} cases/min ({case_rate:.2f} cases/s, "
          f"{tasks_per_case:.2f} tasks a case counted by the worker), {errors} in error; "
          f"{case_rate * 60 / concurrency:.1f} cases/min per process")
    print(f"  declaration → decision: p50 {percentile(latencies, 0.5):.2f} s, p95 {percentile(latencies, 0.95):.2f} s")
    print(f"  ratio cases/s ÷ (no-op tasks/s per case): {ratio:.2f} (target ≥ 0.3; rounds "
          f"{min(r[3] for r in rounds):.2f}–{max(r[3] for r in rounds):.2f}); "
          f"plain cases/s ÷ no-op tasks/s: {case_rate / noop_rate:.3f}")
    return {"processes": concurrency, "cases_per_min": case_rate * 60, "noop_rate": noop_rate}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000, help="cases in all, shared among the rounds")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--noops", type=int, default=1000, help="no-op tasks a round")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[2],
                        help="worker processes; several (e.g. 2 4) measure how the pipeline scales")
    args = parser.parse_args()
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        raise SystemExit("bench/clearance.py needs Redis: set CELERY_BROKER_URL=redis://127.0.0.1:6379/0")
    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    client = redis_client()
    results = [bench_concurrency(client, args, concurrency) for concurrency in args.concurrency]
    if len(results) > 1:
        first = results[0]
        print(f"scaling (cases/min ÷ those of {first['processes']} processes; {os.cpu_count()} CPU cores here):")
        for result in results:
            scale = result["cases_per_min"] / first["cases_per_min"]
            print(f"  {result['processes']} processes: {result['cases_per_min']:7.1f} cases/min, "
                  f"{result['cases_per_min'] / result['processes']:6.1f} per process, x{scale:.2f} "
                  f"(ideal x{result['processes'] / first['processes']:.2f}; no-op x"
                  f"{result['noop_rate'] / first['noop_rate']:.2f})")
    screen_ms = bench_screening(1000)
    p50, p95 = percentile(screen_ms, 0.5), percentile(screen_ms, 0.95)
    print(f"  screening one party: p50 {p50:.2f} ms, p95 {p95:.2f} ms; p95 ÷ 20 ms target = {p95 / 20:.2f}")


if __name__ == "__main__":
    main()
