"""Soak `make run` under schemathesis: the whole API fuzzed for N minutes as a visitor, a demo buyer and a demo
seller at once (`--checks all`), while /healthz is polled every few seconds. Prints the 5xx count per role
(schemathesis' ST101 "Server error"), every health probe that failed, and whether web, worker and beat are
the same processes at the end as at the start (supervisord restarts a crashed one; a restart is a crash).

    make run &                                   # the embedded defaults: SQLite, the filesystem broker
    .venv/bin/python bench/api_soak.py --minutes 15

Not part of the test run: CI fuzzes in-process (tests/test_schema_fuzz.py); this is the long run against the
real process set, whose figures go in the closing note.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEMO_PASSWORD = "trade-demo-2026"  # noqa: S105 (marketplace/management/commands/seed_demo.py's public one)
ROLES = {"anonymous": None, "buyer": "buyer.de@example.com", "seller": "tea@hangzhou-tea.example"}


def token(base: str, email: str) -> str:
    request = urllib.request.Request(f"{base}/api/v1/auth/token/", method="POST",
                                     data=json.dumps({"username": email, "password": DEMO_PASSWORD}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (a local server)
        return json.load(response)["token"]


def supervised_pids() -> dict[str, str]:
    """web, worker and beat's pids as `make run`'s supervisord reports them ({} when it is not running it)."""
    env = {**os.environ, "EWTP_VAR_DIR": os.environ.get("EWTP_VAR_DIR", str(ROOT / "var"))}
    pids = {}
    for name in ("web", "worker", "beat"):
        out = subprocess.run([str(BIN / "supervisorctl"), "-c", str(ROOT / "supervisord.conf"), "pid", name],
                             env=env, capture_output=True, text=True, timeout=30).stdout.strip()
        if out.isdigit() and out != "0":
            pids[name] = out
    return pids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://localhost:8000")
    parser.add_argument("--minutes", type=float, default=15)
    parser.add_argument("--out", default=str(ROOT / "var" / "soak"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    seconds = int(args.minutes * 60)

    before = supervised_pids()
    runs = {}
    for role, email in ROLES.items():
        command = [str(BIN / "schemathesis"), "run", f"{args.base}/api/schema/", "--checks", "all",
                   "--max-time", str(seconds), "--workers", "1", "--request-timeout", "60", "--no-color"]
        if email:
            command += ["--header", f"Authorization: Token {token(args.base, email)}"]
        runs[role] = subprocess.Popen(command, stdout=(out / f"{role}.txt").open("w"), stderr=subprocess.STDOUT)

    probes, failed = 0, []
    stop = threading.Event()

    def poll():
        nonlocal probes
        while not stop.wait(5):
            probes += 1
            try:
                with urllib.request.urlopen(f"{args.base}/healthz", timeout=10) as response:  # noqa: S310
                    if response.status != 200:
                        failed.append((time.strftime("%H:%M:%S"), response.status))
            except OSError as exc:
                failed.append((time.strftime("%H:%M:%S"), str(exc)))

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    for process in runs.values():
        process.wait()
    stop.set()
    poller.join()
    after = supervised_pids()

    print(f"schemathesis --checks all for {args.minutes:g} min per role, three roles at once, against {args.base}")
    total_5xx = 0
    for role in ROLES:
        text = (out / f"{role}.txt").read_text()
        server_errors = sum(int(n) for n in re.findall(r"ST101 Server error: (\d+)", text))
        total_5xx += server_errors
        cases = re.search(r"(\d+) generated", text)
        print(f"  {role:9s}  {cases.group(1) if cases else '?':>7s} test cases   5xx: {server_errors}")
    print(f"  /healthz: {probes - len(failed)}/{probes} probes answered 200" + (f"; failed: {failed}" if failed else ""))
    if before:
        same = {name: before.get(name) == after.get(name) for name in before}
        print("  processes: " + ", ".join(f"{name} {'same pid' if ok else 'RESTARTED'}" for name, ok in same.items()))
    bad = ROOT / "var" / "celery-broker" / "bad"
    if bad.is_dir():
        print(f"  broker messages set aside as undeliverable: {len(list(bad.iterdir()))}")
    sys.exit(1 if total_5xx or failed or (before and before != after) else 0)


if __name__ == "__main__":
    main()
