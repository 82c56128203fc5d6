"""Webhook writes: endpoints (made, changed, secret rotated), events recorded from the apps' signals,
deliveries attempted, replayed. One transaction each."""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.services import seller_company
from ewtp.exceptions import ApplicationError, Conflict, NotFound
from webhooks.domain import schedule, signature
from webhooks.domain.events import EVENT_TYPES
from webhooks.domain.targets import TargetRefused, check_addresses, check_url
from webhooks.integrations import http
from webhooks.models import Attempt, Delivery, Endpoint, Event

log = logging.getLogger(__name__)

MAX_ENDPOINTS_PER_COMPANY = 16
# While an attempt runs the delivery is leased for this long beyond the timeout: a worker killed mid-POST
# leaves it due again afterwards, and beat re-drives it.
LEASE_MARGIN_SECONDS = 60
# Waits up to this long are enqueued with a countdown (far below the broker's visibility timeout);
# longer ones wait for beat (`webhooks.tasks.deliveries_due`).
COUNTDOWN_MAX_SECONDS = 600


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def retry_schedule() -> tuple[float, ...]:
    return tuple(settings.WEBHOOK_RETRY_SCHEDULE)


def _check_target(url: str) -> None:
    allow_local = settings.WEBHOOK_ALLOW_LOCAL
    try:
        host, port = check_url(url, allow_local=allow_local)
        check_addresses(http.resolve(host, port), allow_local=allow_local)
    except TargetRefused as refused:
        raise ApplicationError(str(refused), code="url_refused", field="url") from None


def _check_events(events) -> list[str]:
    if not isinstance(events, (list, tuple)) or not events:
        raise ApplicationError("Choose at least one event type.", code="required", field="events")
    unknown = [e for e in events if e not in EVENT_TYPES]
    if unknown:
        raise ApplicationError(f"Unknown event type {unknown[0]!r}; the types are: {', '.join(EVENT_TYPES)}.",
                               code="invalid_choice", field="events")
    return [e for e in EVENT_TYPES if e in events]


def endpoint_create(*, user, url: str, events: list[str], description: str = "") -> Endpoint:
    """A new endpoint of the user's company with a fresh secret (the caller shows it once)."""
    company = seller_company(user)
    if len(url) > 500:
        raise ApplicationError("The URL is too long (500 characters at most).", code="max_length", field="url")
    _check_target(url)
    events = _check_events(events)
    with transaction.atomic():
        if Endpoint.objects.select_for_update().filter(company=company).count() >= MAX_ENDPOINTS_PER_COMPANY:
            raise Conflict(f"A company has at most {MAX_ENDPOINTS_PER_COMPANY} endpoints.", code="too_many")
        return Endpoint.objects.create(company=company, url=url, events=events, description=description[:200],
                                       secret=new_secret(), created_by=user)


def _own_endpoint(user, endpoint_id: int) -> Endpoint:
    company = seller_company(user)
    endpoint = Endpoint.objects.select_for_update().filter(pk=endpoint_id, company=company).first()
    if endpoint is None:
        raise NotFound("No such endpoint.")
    return endpoint


def endpoint_update(*, user, endpoint_id: int, events: list[str] | None = None, description: str | None = None,
                    enabled: bool | None = None) -> Endpoint:
    """Change what the endpoint receives, or disable it (its pending deliveries stop) and enable it again."""
    with transaction.atomic():
        endpoint = _own_endpoint(user, endpoint_id)
        if events is not None:
            endpoint.events = _check_events(events)
        if description is not None:
            endpoint.description = description[:200]
        if enabled is not None:
            endpoint.enabled = enabled
        endpoint.save()
        return endpoint


def endpoint_rotate_secret(*, user, endpoint_id: int) -> Endpoint:
    """A new secret (the caller shows it once); the old one keeps signing beside it for
    WEBHOOK_SECRET_GRACE_HOURS, so the receiver can switch without refusing events."""
    with transaction.atomic():
        endpoint = _own_endpoint(user, endpoint_id)
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_expires_at = timezone.now() + timedelta(hours=settings.WEBHOOK_SECRET_GRACE_HOURS)
        endpoint.secret = new_secret()
        endpoint.save()
        return endpoint


# --- events -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class NewEvent:
    type: str
    company_id: int
    dedupe_key: str  # e.g. order.paid:ORD-000012: the same change reported twice is one event
    data: dict


def events_record(*, events: list[NewEvent]) -> list[Event]:
    """Record events once each and a delivery for every enabled endpoint of their company that asked for
    their type, sent after the commit. Called by the receivers inside the transaction that made the change
    (the events commit with it, or not at all), in one savepoint and a few queries whatever their number
    (a checkout's payment pays several orders). An event recorded before is skipped."""
    for event in events:
        if event.type not in EVENT_TYPES:
            raise ValueError(f"unknown event type {event.type}")
    if not events:
        return []
    now = timezone.now()
    rows = [Event(id="evt_" + secrets.token_hex(12), type=e.type, company_id=e.company_id,
                  dedupe_key=e.dedupe_key, data=e.data, created_at=now) for e in events]
    try:
        with transaction.atomic():
            Event.objects.bulk_create(rows)
            _deliver(rows)
        return rows
    except IntegrityError:
        # one was recorded before (the signal came twice): one by one, skipping those
        return [row for event in events for row in [_record_one(event)] if row is not None]


def _record_one(event: NewEvent) -> Event | None:
    with transaction.atomic():
        row, created = Event.objects.get_or_create(dedupe_key=event.dedupe_key, defaults={
            "id": "evt_" + secrets.token_hex(12), "type": event.type, "company_id": event.company_id,
            "data": event.data, "created_at": timezone.now()})
        if created:
            _deliver([row])
        return row if created else None


def _deliver(rows: list[Event]) -> None:
    from webhooks.tasks import webhook_deliver

    now = timezone.now()
    endpoints = list(Endpoint.objects.filter(company_id__in={row.company_id for row in rows}, enabled=True))
    deliveries = Delivery.objects.bulk_create([
        Delivery(endpoint=endpoint, event=row, next_attempt_at=now)
        for row in rows for endpoint in endpoints
        if endpoint.company_id == row.company_id and row.type in endpoint.events])
    for delivery in deliveries:
        delivery_id = delivery.pk
        transaction.on_commit(lambda delivery_id=delivery_id: webhook_deliver.delay(delivery_id))


def event_record(*, type: str, company_id: int, dedupe_key: str, data: dict) -> Event | None:
    """One event (events_record); None if it was recorded before."""
    recorded = events_record(events=[NewEvent(type, company_id, dedupe_key, data)])
    return recorded[0] if recorded else None


def payload(event: Event) -> bytes:
    """The body every attempt and replay of the event sends: the same bytes each time."""
    return json.dumps({"id": event.id, "type": event.type, "created": int(event.created_at.timestamp()),
                       "data": event.data}, separators=(",", ":"), sort_keys=True).encode()


def signing_secrets(endpoint: Endpoint, now) -> list[str]:
    keep_previous = endpoint.previous_secret and endpoint.previous_secret_expires_at and \
        endpoint.previous_secret_expires_at > now
    return [endpoint.secret, endpoint.previous_secret] if keep_previous else [endpoint.secret]


# --- deliveries -------------------------------------------------------------------------------------

def delivery_attempt(*, delivery_id: int) -> float | None:
    """Make the delivery's next attempt if one is due: claim it under the row's lock (an attempt row
    and a lease, committed), POST outside any transaction, then record the answer and when the next
    attempt is due. Safe to run twice, or at once: the second finds the attempt claimed and does nothing.
    Returns the seconds until the next attempt, or None (done, failed, or nothing was due)."""
    now = timezone.now()
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().select_related("endpoint", "event").filter(
            pk=delivery_id).first()
        if delivery is None or delivery.status != Delivery.Status.PENDING:
            return None
        if delivery.next_attempt_at and delivery.next_attempt_at > now:
            return None  # not due, or another worker holds the lease
        endpoint = delivery.endpoint
        if not endpoint.enabled:
            _finish(delivery, Delivery.Status.FAILED, reason="The endpoint was disabled.")
            return None
        attempt = Attempt.objects.create(delivery=delivery, number=delivery.attempt_count + 1, started_at=now)
        delivery.attempt_count = attempt.number
        delivery.next_attempt_at = now + timedelta(seconds=timeout + LEASE_MARGIN_SECONDS)
        delivery.save(update_fields=["attempt_count", "next_attempt_at"])
        url, body = endpoint.url, payload(delivery.event)
        timestamp = int(now.timestamp())
        headers = {"Content-Type": "application/json", "User-Agent": "ewtp-webhooks/1",
                   signature.HEADER: signature.header(signing_secrets(endpoint, now), timestamp, body),
                   "Ewtp-Event-Id": delivery.event_id, "Ewtp-Delivery-Attempt": str(attempt.number)}

    answer = http.post(url, body, headers, timeout=timeout, allow_local=settings.WEBHOOK_ALLOW_LOCAL)

    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
        Attempt.objects.filter(pk=attempt.pk).update(
            status_code=answer.status_code, response_excerpt=answer.excerpt, error=answer.error,
            duration_ms=answer.duration_ms)
        delivery.last_status_code = answer.status_code
        if answer.status_code is not None and 200 <= answer.status_code < 300:
            _finish(delivery, Delivery.Status.SUCCEEDED)
            return None
        wait = schedule.next_wait(retry_schedule(), delivery.attempt_count)
        if wait is None:
            _finish(delivery, Delivery.Status.FAILED,
                    reason=f"No 2xx answer in {delivery.attempt_count} attempts.")
            return None
        delivery.next_attempt_at = timezone.now() + timedelta(seconds=wait)
        delivery.save(update_fields=["last_status_code", "next_attempt_at"])
        return wait


def _finish(delivery: Delivery, status: str, *, reason: str = "") -> None:
    delivery.status, delivery.failure_reason = status, reason
    delivery.next_attempt_at, delivery.finished_at = None, timezone.now()
    delivery.save(update_fields=["status", "failure_reason", "next_attempt_at", "finished_at", "last_status_code"])


def delivery_replay(*, user, delivery_id: int) -> Delivery:
    """Send the delivery's event again, as a new delivery with the same event id (the receiver
    dedupes on it). Not while the delivery is still being attempted, nor to a disabled endpoint."""
    from webhooks.tasks import webhook_deliver

    company = seller_company(user)
    with transaction.atomic():
        original = Delivery.objects.select_for_update().select_related("endpoint").filter(
            pk=delivery_id, endpoint__company=company).first()
        if original is None:
            raise NotFound("No such delivery.")
        if original.status == Delivery.Status.PENDING:
            raise Conflict("This delivery is still being attempted.", code="still_pending")
        if not original.endpoint.enabled:
            raise Conflict("The endpoint is disabled: enable it first.", code="endpoint_disabled")
        replay = Delivery.objects.create(endpoint=original.endpoint, event_id=original.event_id,
                                         replay_of=original, next_attempt_at=timezone.now())
        transaction.on_commit(lambda: webhook_deliver.delay(replay.pk))
        return replay


def deliveries_due(*, limit: int = 500) -> int:
    """Beat: enqueue the deliveries whose next attempt is due (after a long wait, or a lost worker)."""
    from webhooks.tasks import webhook_deliver

    ids = list(Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=timezone.now())
               .order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    for delivery_id in ids:
        webhook_deliver.delay(delivery_id)
    return len(ids)
