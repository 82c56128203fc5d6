"""Landed-cost speed: the engine in process, then the API under load through gunicorn.

    .venv/bin/python bench/landed_cost.py [--repeat 15] [--number 2000] [--http-seconds 10] [--rounds 10]
                                          [--connections 4] [--port 8140] [--no-http]

1. In process, with the tariff book loaded from the data files: the median time per call of a
   single-line quote (one under the UK's £135 regime, one paying duty and import VAT) and a 20-line
   quote, with and without reading its explanation (rendered on first read), beside a bare baseline
   measured in the same run (a dict lookup and one Decimal multiply per line, the least any duty
   calculation must do), and their ratio. Targets, for the quote with its explanation: single line
   < 50 µs, 20 lines < 1 ms.
2. Over HTTP: migrates a SQLite database under $EWTP_VAR_DIR (default /tmp/ewtp-bench-landed-cost),
   loads the reference data, starts gunicorn (gthread, one worker per CPU, DEBUG off, the anonymous
   throttle lifted to a per-second rate, see LIFTED_THROTTLE) on 127.0.0.1:--port with
   bench/bench_settings.py, and loads it from --connections keep-alive connections (threads +
   http.client) for --http-seconds each, in --rounds alternating rounds after a warm-up: a bare Django
   view reading the same JSON, a bare DRF view with the API's permission and throttle (both in
   bench/bench_urls.py), and POST /api/v1/customs/landed-cost/ with a 5-line GB quote. Prints requests/s, p50, p95 and p99 of each, the workers' CPU time per
   request, and the API's ratios to both floors. Target: API p95 < 15 ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import timeit
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from customs.domain.landed_cost import QuoteLine, QuoteRequest, quote_landed_cost  # noqa: E402
from customs.reference import load_book_from_files  # noqa: E402
from ewtp.money import FxTable, Money  # noqa: E402

FX = FxTable({"GBP": Decimal("0.8412"), "USD": Decimal("1.0823"), "CNY": Decimal("7.8213"),
              "JPY": Decimal("161.20"), "AUD": Decimal("1.6512")}, date(2026, 1, 14), "bench rates")

# A spread of real lines: ad valorem, compound, specific, 10-digit and 8-digit codes.
CODES = ["6109100010", "61102091", "42022100", "95030070", "39241000", "85171200", "64039996", "62034231",
         "73239300", "94036010", "20089948", "22042109", "04061030", "18069011", "84713000", "69120085",
         "96032100", "71171900", "87120030", "09021000"]


def line(code: str, value: str = "25.00") -> QuoteLine:
    return QuoteLine(hs_code=code, description="bench item", quantity=4, unit_value=Money(Decimal(value), "GBP"),
                     net_weight_kg=Decimal("1.2"), origin="CN", supplementary={"l": Decimal("3"), "alcohol_pct_vol": Decimal("12")})


def request(lines: list[QuoteLine]) -> QuoteRequest:
    return QuoteRequest(origin="CN", destination="GB", on=date(2026, 1, 15), incoterm="DDP", currency="GBP",
                        shipping=Money(Decimal("12.00"), "GBP"), insurance=Money(Decimal("1.50"), "GBP"), lines=lines)


def per_call(func, number: int, repeat: int) -> tuple[float, float]:
    """(median, best) µs per call over `repeat` rounds, in CPU time of this process (time.process_time), so
    that time other processes take on a shared machine does not count; on an idle machine it is wall time."""
    rounds = timeit.repeat(func, number=number, repeat=repeat, timer=time.process_time)
    return statistics.median(rounds) / number * 1e6, min(rounds) / number * 1e6


def median_per_call(func, number: int, repeat: int) -> float:
    return per_call(func, number, repeat)[0]


FIVE_LINES = {
    "origin": "CN", "destination": "GB", "date": "2026-01-15", "incoterm": "DDP", "currency": "GBP",
    "shipping": {"amount": "12.00", "currency": "GBP"}, "insurance": {"amount": "1.50", "currency": "GBP"},
    "lines": [{"hs_code": code, "description": "bench item", "quantity": 4,
               "unit_value": {"amount": "25.00", "currency": "GBP"}, "net_weight_kg": "1.2", "origin": "CN"}
              for code in CODES[:5]],
}


def in_process(args) -> None:
    started = time.perf_counter()
    book = load_book_from_files()
    print(f"book loaded: {book.measure_count:,} measures in {time.perf_counter() - started:.2f} s")

    under_135 = request([line("6109100010")])
    with_duty = request([line("6109100010", "60.00")])
    twenty = request([line(code) for code in CODES])
    for req in (under_135, with_duty, twenty):  # warm the caches
        assert quote_landed_cost(book, FX, req).landed_cost.amount > 0
    assert quote_landed_cost(book, FX, with_duty).lines[0].rule == "mfn"

    rates = {code: Decimal("0.12") for code in CODES}
    values = [Decimal("100.00")] * len(CODES)

    def baseline(count: int):
        def run() -> Decimal:
            total = Decimal(0)
            for code, value in zip(CODES[:count], values[:count], strict=True):
                total += value * rates[code]
            return total
        return run

    rows = []
    for label, req, count, target in (("1 line, under £135", under_135, 1, 50.0),
                                      ("1 line, duty + VAT", with_duty, 1, 50.0),
                                      ("20 lines", twenty, 20, 1000.0)):
        number = max(args.number // count, 50)
        engine, best = per_call(lambda req=req: quote_landed_cost(book, FX, req), number, args.repeat)
        bare = median_per_call(baseline(count), number * 10, args.repeat)
        explained = median_per_call(lambda req=req: quote_landed_cost(book, FX, req).explanation, number, args.repeat)
        rows.append((label, engine, best, explained, bare, target))
    print(f"{'in process':20} {'engine µs':>10} {'best µs':>8} {'+explain µs':>12} {'baseline µs':>12} {'ratio':>7} "
          f"{'target µs':>10}")
    for label, engine, best, explained, bare, target in rows:
        verdict = "ok" if explained < target else "OVER"  # the quote with its explanation read, as the API does
        print(f"{label:20} {engine:10.1f} {best:8.1f} {explained:12.1f} {bare:12.2f} {engine / bare:6.0f}x "
              f"{target:10.0f} {verdict}")


# ---------------------------------------------------------------- over HTTP

# The anonymous throttle stays on, lifted: it keeps one timestamp per request of its window and reads and
# writes that list through the cache on every request. Production's 120/minute holds at most 120; a lifted
# rate per minute would hold every request of the last minute (tens of thousands under this load, 0.1-0.3 ms
# a request) and a per-second one holds the last second's few hundred, close to what production pays.
LIFTED_THROTTLE = "100000000/second"


def _server_env(var_dir: Path) -> dict[str, str]:
    return {**os.environ, "EWTP_VAR_DIR": str(var_dir), "DEBUG": "0", "ANON_THROTTLE_RATE": LIFTED_THROTTLE,
            "DJANGO_SETTINGS_MODULE": "bench_settings",
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "bench"), os.environ.get("PYTHONPATH", "")])}


def _prepare(env: dict[str, str]) -> None:
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["migrate", "--verbosity", "0"], ["load_reference_data", "--verbosity", "0"]):
        subprocess.run(manage + command, cwd=ROOT, env=env, check=True)


def _start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "ewtp.wsgi", "-b", f"127.0.0.1:{port}", "--worker-class", "gthread", "--workers",
         str(workers), "--threads", "4", "--keep-alive", "30", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/bench/bare/")
            if connection.getresponse().status == 200:
                connection.close()
                return server
        except OSError:
            time.sleep(0.2)
    _stop_server(server)
    raise SystemExit(f"gunicorn did not answer on port {port}")


def _stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def load(port: int, path: str, body: bytes, *, connections: int,
         seconds: float) -> tuple[int, float, list[float], int]:
    """(requests, seconds taken, latencies in ms, errors) from `connections` keep-alive clients for `seconds`."""
    headers = {"Content-Type": "application/json", "Connection": "keep-alive"}
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections
    start_gate = threading.Barrier(connections + 1)
    stop_at = [0.0]

    def client(slot: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = latencies[slot]
        start_gate.wait()
        while True:
            began = time.perf_counter()
            if began >= stop_at[0]:
                break
            try:
                connection.request("POST", path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    errors[slot] += 1
            except (OSError, http.client.HTTPException):
                errors[slot] += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            mine.append((time.perf_counter() - began) * 1000)
        connection.close()

    threads = [threading.Thread(target=client, args=(slot,), daemon=True) for slot in range(connections)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.perf_counter() + seconds
    began = time.perf_counter()
    start_gate.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    merged = [x for mine in latencies for x in mine]
    return len(merged), elapsed, merged, sum(errors)


# Two floors and the endpoint, all reading the same body: the least a Django view costs, the least a DRF
# view with the API's permission and throttle costs (bench/bench_urls.py), and the landed-cost API.
ENDPOINTS = (("bare Django view", "/bench/bare/"), ("bare DRF view", "/bench/bare-drf/"),
             ("landed-cost API", "/api/v1/customs/landed-cost/"))


def percentile(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


def over_http(args) -> None:
    var_dir = Path(os.environ.get("EWTP_VAR_DIR") or "/tmp/ewtp-bench-landed-cost")
    var_dir.mkdir(parents=True, exist_ok=True)
    env = _server_env(var_dir)
    _prepare(env)
    workers = os.cpu_count() or 2
    server = _start_server(env, args.port, workers)
    try:
        body = json.dumps(FIVE_LINES).encode()
        check = http.client.HTTPConnection("127.0.0.1", args.port, timeout=10)
        check.request("POST", "/api/v1/customs/landed-cost/", body=body, headers={"Content-Type": "application/json"})
        answer = check.getresponse()
        quote = json.loads(answer.read())
        assert answer.status == 200, quote
        assert len(quote["lines"]) == 5 and quote["duty"]["amount"] != "0.00", quote
        check.close()
        # Warm each endpoint (each worker builds its tariff book once), then alternate short rounds so that
        # a burst of load from elsewhere on the machine falls on every endpoint alike.
        for _, path in ENDPOINTS:
            load(args.port, path, body, connections=args.connections, seconds=3.0)
        # requests, seconds, latencies, errors, CPU seconds of the workers
        results = {label: [0, 0.0, [], 0, 0.0] for label, _ in ENDPOINTS}
        for _ in range(args.rounds):
            for label, path in ENDPOINTS:
                cpu = _workers_cpu(server.pid)
                count, elapsed, latencies, errors = load(args.port, path, body, connections=args.connections,
                                                         seconds=args.http_seconds / args.rounds)
                total = results[label]
                total[0] += count
                total[1] += elapsed
                total[2].extend(latencies)
                total[3] += errors
                total[4] += _workers_cpu(server.pid) - cpu
    finally:
        _stop_server(server)
    print(f"\nover HTTP: gunicorn gthread, {workers} workers x 4 threads, {args.connections} keep-alive "
          f"connections, {args.http_seconds:.0f} s each in {args.rounds} alternating rounds, 5-line GB quote body "
          f"({len(body)} bytes)\nCPU ms/req: the workers' CPU time per answer, less moved than latency by load from "
          "elsewhere on the machine")
    print(f"{'':24} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'CPU ms/req':>11} {'errors':>7}")
    figures = {}
    for label, (count, elapsed, latencies, errors, cpu) in results.items():
        latencies.sort()
        figures[label] = (count / elapsed, *(percentile(latencies, p) for p in (50, 95, 99)), cpu * 1000 / count)
        print(f"{label:24} {figures[label][0]:8.0f} {figures[label][1]:8.2f} {figures[label][2]:8.2f} "
              f"{figures[label][3]:8.2f} {figures[label][4]:11.3f} {errors:7d}")
    api = figures["landed-cost API"]
    for floor in ("bare Django view", "bare DRF view"):
        print(f"{'API / ' + floor:24} {api[0] / figures[floor][0]:7.2f}x {api[1] / figures[floor][1]:7.1f}x "
              f"{api[2] / figures[floor][2]:7.1f}x {api[3] / figures[floor][3]:7.1f}x "
              f"{api[4] / figures[floor][4]:10.1f}x")
    print(f"API p95 {api[2]:.2f} ms, target 15 ms: {'ok' if api[2] < 15 else 'OVER'}")


def _workers_cpu(master: int) -> float:
    """CPU seconds (user + system, all threads) used so far by the server's worker processes."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[1]) == master:  # ppid
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--number", type=int, default=2000)
    parser.add_argument("--http-seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=10, help="alternating rounds the HTTP seconds are split into")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--port", type=int, default=8140)
    parser.add_argument("--no-http", action="store_true", help="only the in-process part")
    args = parser.parse_args()
    in_process(args)
    if not args.no_http:
        over_http(args)


if __name__ == "__main__":
    main()
