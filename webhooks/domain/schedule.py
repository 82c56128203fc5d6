"""When a failed delivery is tried again (pure).

Like Stripe: exponential backoff for about three days. The default waits 1, 2, 4, … 2048 minutes after
the failures of attempts 1 to 12 — 4095 minutes (2.8 days) in all — and gives up after the 13th.
settings.WEBHOOK_RETRY_SCHEDULE (seconds, comma-separated in the environment) replaces it."""

from __future__ import annotations

DEFAULT_SCHEDULE = tuple(60 * 2**n for n in range(12))


def next_wait(schedule: tuple[float, ...] | list[float], attempts_made: int) -> float | None:
    """Seconds to wait before the next attempt after `attempts_made` failed ones; None: give up."""
    if attempts_made < 1:
        return 0.0
    if attempts_made > len(schedule):
        return None
    return float(schedule[attempts_made - 1])


def total_attempts(schedule) -> int:
    return len(schedule) + 1
