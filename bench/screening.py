"""Screening speed: one party against the whole OFAC SDN list (3 May 2024, 14,965 entries).

Run: .venv/bin/python bench/screening.py [--names 1000] [--seed 7]

Screens about 1,000 names, half taken from the list (words shuffled, or one letter of the longest word
changed) and half ordinary SME trade names, and prints p50/p95 per party beside a bare
baseline measured in the same run: normalising the name and looking it up in a dict (what an
exact-match screen would cost). Target (issue 7): p95 under 20 ms.

Then a checkout's screen up front (issue 14): the buyer, the ship-to recipient and the buyer's company
screened together as marketplace checkout does (customs/domain/compliance.py), p50/p95 per checkout.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from customs.domain.compliance import parties_to_screen, party_hits  # noqa: E402
from customs.domain.screening import ScreeningIndex  # noqa: E402
from customs.integrations.sanctions_lists import read_ofac_sdn_csv  # noqa: E402

SDN_CSV = ROOT / "customs" / "data" / "screening" / "sdn.csv"

PLACES = ["Hangzhou", "Fujian", "Yunnan", "Darjeeling", "Assam", "Kandy", "Solo", "Pekalongan",
          "Penang", "Chiang Mai", "Hanoi", "Leeds", "Bristol", "Hamburg", "Bremen", "Munich", "Lyon",
          "Rotterdam", "Melbourne", "Osaka", "Busan", "Cebu", "Bandung", "Kerala", "Nairobi"]
WORDS = ["Green", "Golden", "Lotus", "Jade", "Silk", "River", "Mountain", "Heritage", "Artisan",
         "Blue Sky", "Sunrise", "Harvest", "Evergreen", "Orchid", "Maple", "Oak", "Bamboo", "Crane"]
GOODS = ["Tea", "Batik", "Coffee", "Spice", "Ceramics", "Textiles", "Handicrafts", "Homeware",
         "Furniture", "Rattan", "Leather", "Cosmetics", "Toys", "Kitchenware", "Garden Supplies"]
FORMS = ["Co., Ltd.", "Ltd", "GmbH", "Pte Ltd", "Sdn Bhd", "PT", "CV", "LLC", "Trading", "Export Co",
         "Imports Ltd", "& Sons", "SARL", "BV", ""]
PEOPLE = ["Oliver Bennett", "Sarah Thompson", "Jürgen Schäfer", "Anna Becker", "Siti Rahmawati",
          "Nguyen Thi Lan", "Mei Ling Tan", "Priya Natarajan", "Tomás García", "Chloé Martin"]


def sme_names(rng: random.Random, count: int) -> list[str]:
    names = []
    for _ in range(count):
        if rng.random() < 0.15:
            names.append(rng.choice(PEOPLE))
            continue
        parts = [rng.choice(PLACES) if rng.random() < 0.5 else "", rng.choice(WORDS), rng.choice(GOODS),
                 rng.choice(FORMS)]
        names.append(" ".join(part for part in parts if part))
    return names


def listed_variants(rng: random.Random, parties, count: int) -> list[str]:
    names = []
    for party in rng.sample(parties, count):
        name = rng.choice((party.name, *party.aliases))
        tokens = name.replace(",", " ").split()
        if len(tokens) > 1 and rng.random() < 0.5:
            rng.shuffle(tokens)  # reordered
        longest = max(range(len(tokens)), key=lambda i: len(tokens[i]))
        if len(tokens[longest]) >= 6 and rng.random() < 0.3:  # one letter of the longest word changed
            word = tokens[longest]
            at = rng.randrange(1, len(word) - 1)
            tokens[longest] = word[:at] + rng.choice("aeiou") + word[at + 1:]
        names.append(" ".join(tokens))
    return names


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timed(function, names: list[str]) -> tuple[list[float], list]:
    durations, results = [], []
    for name in names:
        started = time.perf_counter()
        results.append(function(name))
        durations.append((time.perf_counter() - started) * 1000.0)
    return durations, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    started = time.perf_counter()
    parties = read_ofac_sdn_csv(SDN_CSV)
    read_seconds = time.perf_counter() - started
    started = time.perf_counter()
    index = ScreeningIndex.build(parties)
    build_seconds = time.perf_counter() - started

    hits = listed_variants(rng, parties, args.names // 2)
    misses = sme_names(rng, args.names - len(hits))
    queries = hits + misses
    rng.shuffle(queries)
    hit_set = set(hits)

    for name in queries[:50]:  # warm up caches and the allocator, like a long-lived worker
        index.screen(name)

    screen_ms, screened = timed(index.screen, queries)
    baseline_ms, _ = timed(index.exact_lookup, queries)  # normalise, then one dict lookup
    candidates = [index.candidate_count(name) for name in queries]

    found = sum(1 for name, matches in zip(queries, screened, strict=True) if name in hit_set and matches)
    false_hits = [(name, matches[0].matched_name, matches[0].score)
                  for name, matches in zip(queries, screened, strict=True) if name not in hit_set and matches]

    p50, p95 = percentile(screen_ms, 0.50), percentile(screen_ms, 0.95)
    b50, b95 = percentile(baseline_ms, 0.50), percentile(baseline_ms, 0.95)
    print(f"list: {len(parties):,} parties, {index.name_count:,} names; read {read_seconds:.2f} s, "
          f"index built in {build_seconds:.2f} s")
    print(f"queries: {len(queries):,} ({len(hits)} from the list, varied; {len(misses)} SME names)")
    print(f"candidates scored per query: p50 {percentile(candidates, 0.5)}, p95 {percentile(candidates, 0.95)}, "
          f"max {max(candidates)} of {index.name_count:,}")
    print(f"screen  (fuzzy, index): p50 {p50:7.3f} ms   p95 {p95:7.3f} ms   max {max(screen_ms):7.3f} ms   "
          f"mean {statistics.fmean(screen_ms):.3f} ms")
    print(f"baseline (dict lookup): p50 {b50:7.3f} ms   p95 {b95:7.3f} ms")
    print(f"ratio screen/baseline:  p50 {p50 / b50:7.1f} x   p95 {p95 / b95:7.1f} x")
    print(f"target p95 < 20 ms: {'met' if p95 < 20 else 'MISSED'}")
    print(f"varied list names found at threshold 88: {found}/{len(hits)}; "
          f"SME names flagged: {len(false_hits)}/{len(misses)}")
    for name, matched, score in false_hits[:10]:
        print(f"  flagged: {name!r} ~ {matched!r} ({score})")

    # a checkout's parties, as marketplace.services.checkout screens them before any payment
    checkouts = [[("buyer", rng.choice(queries), "GB"), ("ship-to", rng.choice(queries), "GB"),
                  ("buyer company", rng.choice(misses), "DE")] for _ in range(args.names // 4)]

    def checkout_screen(parties):
        return [hit for role, name, country in parties_to_screen(parties)
                for hit in party_hits(role, name, country, index.screen(name, country, limit=5))]

    checkout_ms, _ = timed(checkout_screen, checkouts)
    c50, c95 = percentile(checkout_ms, 0.50), percentile(checkout_ms, 0.95)
    print(f"checkout (3 parties):   p50 {c50:7.3f} ms   p95 {c95:7.3f} ms   ({len(checkouts)} checkouts; "
          f"{c95 / b95:.0f} x the baseline's p95)")


if __name__ == "__main__":
    main()
