"""Catalog throughput: the catalog API and page with landed costs, beside a bare DRF endpoint.

Run: .venv/bin/python bench/catalog.py [--seconds 6] [--rounds 5] [--concurrency 8] [--workers 2]

1. Seeds PostgreSQL database `ewtp_bench` (created if missing; DATABASE_URL overrides) with the
   reference data and 20,000 published listings from 500 verified companies (bulk_create; skipped
   when they are there already).
2. Serves the project with gunicorn on 127.0.0.1 (this file is the WSGI app: the project's URLs plus
   one bare endpoint, `GET /bench/bare/`, a plain DRF view listing 50 listings with a ModelSerializer
   and nothing else), with the cache in Redis as in docker-compose (CACHE_URL, default
   redis://127.0.0.1:6379/3), so card landed costs are shared by the workers as in production.
3. Loads each target on loopback with a keep-alive HTTP load generator (threads, in this process):
   every target gets the same clients and the same gunicorn, a warm-up (which also fills the
   landed-cost cache), then `--rounds` turns of `--seconds` each, taken in turn (bare, catalog API,
   page, ...) so that a noisy neighbour slows all of them alike. Prints requests/s and p95 latency
   over all rounds, each catalog figure as a ratio of the bare endpoint's, and the ratio in each round
   with their median.
   Target: the catalog API (48 cards with landed costs) at >= 0.6 of the bare endpoint's throughput.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/ewtp_bench"
DEFAULT_CACHE = "redis://127.0.0.1:6379/3"  # as docker-compose: a Redis cache (database 3: the bench's own)
COMPANIES, PER_COMPANY = 500, 40
TARGET = 0.6
PORT = int(os.environ.get("BENCH_PORT", "8131"))

# Catalog URLs the load rotates through: browsing pages, searches in English and Chinese, filters.
CATALOG_QUERIES = ["", "page=2", "page=3", "q=green+tea", "q=" + quote("绿茶"), "q=silk+scarf", "origin=MY",
                   "sort=price_asc", "category=food/tea", "country=DE", "q=tea&country=DE", "q=gren+tea"]


# ---------------------------------------------------------------- the WSGI app gunicorn serves

def _bare_urls():
    from django.urls import include, path
    from rest_framework import serializers
    from rest_framework.permissions import AllowAny
    from rest_framework.response import Response
    from rest_framework.views import APIView

    from marketplace.models import Listing

    class BareSerializer(serializers.ModelSerializer):
        class Meta:
            model = Listing
            fields = ["id", "title_en", "title_zh", "hs_code", "origin_country", "price_amount", "currency", "stock",
                      "moq"]

    class BareApi(APIView):
        authentication_classes: list = []
        permission_classes = [AllowAny]

        def get(self, request):
            rows = Listing.objects.filter(status="published").order_by("-id")[:50]
            return Response({"results": BareSerializer(rows, many=True).data})

    return [path("bench/bare/", BareApi.as_view()), path("", include("ewtp.urls"))]


def application(environ, start_response):  # gunicorn bench.catalog:application
    global _app
    if _app is None:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ewtp.settings.development")
        import django
        from django.conf import settings

        django.setup()
        module = type(sys)("bench_catalog_urls")
        module.urlpatterns = _bare_urls()
        sys.modules["bench_catalog_urls"] = module
        settings.ROOT_URLCONF = "bench_catalog_urls"
        from django.core.wsgi import get_wsgi_application

        _app = get_wsgi_application()
    return _app(environ, start_response)


_app = None


# ---------------------------------------------------------------- seeding

def ensure_database(url: str) -> None:
    import psycopg2

    name = url.rsplit("/", 1)[1]
    conn = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def seed() -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from accounts.models import Company, CompanyMember, User
    from marketplace import search
    from marketplace.domain.text import index_text
    from marketplace.models import Category, Listing
    from marketplace.services.listings import category_create

    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    wanted = COMPANIES * PER_COMPANY
    have = Listing.objects.filter(company__legal_name__startswith="Bench ").count()
    if have >= wanted:
        _vacuum(connection)
        return have
    started = time.perf_counter()
    food = category_create(name_en="Food and drink", slug="food")
    tea = category_create(name_en="Tea", name_zh="茶", slug="tea", parent=food)
    textiles = category_create(name_en="Textiles", name_zh="纺织品", slug="textiles")
    homes = [("CN", "CNY", "Hangzhou"), ("MY", "MYR", "Kuala Lumpur"), ("ID", "IDR", "Jakarta"),
             ("TH", "THB", "Bangkok"), ("IN", "INR", "Jaipur")]
    goods = [  # (English, Chinese, HS, price, weight, category)
        ("Longjing green tea {n}", "龙井绿茶 {n}", "090210", "168.00", "0.350", tea),
        ("Jasmine green tea pearls {n}", "茉莉绿茶 {n}", "090210", "139.00", "0.500", tea),
        ("Oolong tea {n}", "乌龙茶 {n}", "090230", "220.00", "0.300", tea),
        ("Silk scarf {n}", "真丝围巾 {n}", "621410", "320.00", "0.120", textiles),
        ("Batik cotton fabric {n}", "蜡染棉布 {n}", "520852", "75.00", "0.250", textiles),
        ("Cotton T-shirt {n}", "纯棉T恤 {n}", "610910", "59.00", "0.200", textiles),
    ]
    rng = random.Random(7)
    with transaction.atomic():
        users = User.objects.bulk_create([User(email=f"bench{n}@bench.example", password="!", country=homes[n % 5][0])
                                          for n in range(COMPANIES)], ignore_conflicts=True)
        users = list(User.objects.filter(email__endswith="@bench.example").order_by("pk"))
        companies = Company.objects.bulk_create([
            Company(legal_name=f"Bench Trading {n:03d}", country=homes[n % 5][0], currency=homes[n % 5][1],
                    city=homes[n % 5][2], address=f"{n} Market Street", verification="verified")
            for n in range(COMPANIES)])
        CompanyMember.objects.bulk_create([CompanyMember(company=c, user=u) for c, u in zip(companies, users, strict=True)])
        batch = []
        for company in companies:
            for n in range(PER_COMPANY):
                en, zh, hs, price, weight, category = goods[rng.randrange(len(goods))]
                amount = Decimal(price) * Decimal(rng.randint(5, 30)) / 10
                if company.currency == "IDR":
                    amount = amount * 2000
                batch.append(Listing(
                    company=company, title_en=en.format(n=n), title_zh=zh.format(n=n), hs_code=hs,
                    description_en=f"{en.format(n=n)} from {company.city}.", origin_country=company.country,
                    price_amount=amount.quantize(Decimal("0.01")), currency=company.currency,
                    stock=rng.randint(0, 500), moq=rng.choice([1, 1, 1, 2, 10]),
                    weight_kg=Decimal(weight), status="published", category=category,
                    search_zh=index_text(zh.format(n=n))))
        Listing.objects.bulk_create(batch, batch_size=2000)
    # one statement for every tsvector, then fresh planner statistics
    search.reindex(Listing.objects.filter(company__legal_name__startswith="Bench ").values("pk"))
    _vacuum(connection)
    assert Category.objects.exists()
    print(f"seeded {len(batch):,} listings from {COMPANIES} companies in {time.perf_counter() - started:.1f} s")
    return len(batch)


def _vacuum(connection) -> None:
    with connection.cursor() as cursor:
        for table in ("marketplace_listing", "marketplace_company", "marketplace_category", "marketplace_pricetier",
                      "marketplace_listingphoto"):
            cursor.execute(f"VACUUM ANALYZE {table}")


# ---------------------------------------------------------------- load

def load(paths: list[str], *, seconds: float, concurrency: int) -> dict:
    """Keep-alive GETs from `concurrency` threads for `seconds`: requests/s, p95 and errors."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        mine, bad, i = [], 0, offset
        while time.perf_counter() < deadline:
            path = paths[i % len(paths)]
            i += 1
            started = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    bad += 1
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
                continue
            mine.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1] if latencies else float("nan")
    return {"rps": len(latencies) / elapsed, "p95_ms": p95 * 1e3, "n": len(latencies), "errors": errors[0],
            "median_ms": statistics.median(latencies) * 1e3 if latencies else float("nan"),
            "latencies": latencies, "elapsed": elapsed}


def wait_ready(timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=5)
            conn.request("GET", "/bench/bare/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer in time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6, help="seconds per target and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--warmup", type=float, default=30, help="seconds per target before measuring")
    args = parser.parse_args()

    url = os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
    if not url.startswith("postgres"):
        raise SystemExit("bench/catalog.py measures PostgreSQL: set DATABASE_URL=postgres://…")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ewtp.settings.development")
    os.environ.setdefault("EWTP_VAR_DIR", "/tmp/var-bench-catalog")
    os.environ.setdefault("CACHE_URL", DEFAULT_CACHE)
    ensure_database(url)
    count = seed()
    print(f"database: {url.rsplit('/', 1)[1]}, {count:,} bench listings; cache: {os.environ['CACHE_URL']}")

    env = {**os.environ, "CONN_MAX_AGE": "600", "DEBUG": "false"}
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "bench.catalog:application", "-b", f"127.0.0.1:{PORT}", "-w",
         str(args.workers), "--worker-class", "gthread", "--threads", "4", "--keep-alive", "30", "--log-level",
         "warning"], cwd=ROOT, env=env, start_new_session=True)
    targets = {
        "bare DRF, 50 rows": ["/bench/bare/"],
        "catalog API, 48 cards": [f"/api/v1/catalog/?page_size=48&{q}" for q in CATALOG_QUERIES],
        "catalog page, 24 cards": [f"/?{q}" for q in CATALOG_QUERIES],
        "catalog API, no text search": [f"/api/v1/catalog/?page_size=48&{q}" for q in CATALOG_QUERIES
                                        if "q=" not in q],
    }
    rounds: list[dict] = []
    try:
        wait_ready()
        for paths in targets.values():  # warm-up: connections, caches and the landed costs of these pages
            load(paths, seconds=args.warmup, concurrency=args.concurrency)
        for _ in range(args.rounds):
            rounds.append({name: load(paths, seconds=args.seconds, concurrency=args.concurrency)
                           for name, paths in targets.items()})
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    results = {name: _merge([r[name] for r in rounds]) for name in targets}
    bare = results["bare DRF, 50 rows"]["rps"]
    print(f"\n{args.workers} gunicorn workers x 4 threads, {args.concurrency} keep-alive clients on loopback, "
          f"{args.rounds} rounds of {args.seconds:.0f} s per target\n")
    print(f"{'target':<30}{'req/s':>9}{'p95 ms':>9}{'median':>9}{'errors':>8}{'ratio':>8}")
    for name, r in results.items():
        print(f"{name:<30}{r['rps']:>9.1f}{r['p95_ms']:>9.1f}{r['median_ms']:>9.1f}{r['errors']:>8}"
              f"{r['rps'] / bare:>8.2f}")
    per_round = [r["catalog API, 48 cards"]["rps"] / r["bare DRF, 50 rows"]["rps"] for r in rounds]
    ratio = results["catalog API, 48 cards"]["rps"] / bare
    print(f"\ncatalog API / bare DRF throughput: {ratio:.2f} (rounds: {', '.join(f'{x:.2f}' for x in per_round)};"
          f" median {statistics.median(per_round):.2f}; target >= {TARGET}) -> {'OK' if ratio >= TARGET else 'BELOW TARGET'}")


def _merge(runs: list[dict]) -> dict:
    """Rounds of one target as one: requests over the time of all rounds, percentiles over all latencies."""
    latencies = sorted(x for run in runs for x in run["latencies"])
    elapsed = sum(run["elapsed"] for run in runs)
    return {"rps": len(latencies) / elapsed, "errors": sum(run["errors"] for run in runs),
            "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1e3 if latencies else float("nan"),
            "median_ms": statistics.median(latencies) * 1e3 if latencies else float("nan")}


if __name__ == "__main__":
    main()
