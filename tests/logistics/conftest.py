"""Logistics fixtures: a paid order from the Hangzhou seller to a London buyer, made through the
real marketplace services, and helpers to sign carrier webhook pushes."""

from __future__ import annotations

import json
import time

import pytest
from django.conf import settings

from logistics.domain.webhooks import sign
from tests import factories

TWO_PARCELS = {
    "parcels-TOTAL_FORMS": "2", "parcels-INITIAL_FORMS": "0", "parcels-MIN_NUM_FORMS": "1",
    "parcels-MAX_NUM_FORMS": "20",
    "parcels-0-weight_kg": "1.2", "parcels-0-length_cm": "30", "parcels-0-width_cm": "20", "parcels-0-height_cm": "15",
    "parcels-1-weight_kg": "0.9", "parcels-1-length_cm": "25", "parcels-1-width_cm": "20", "parcels-1-height_cm": "10",
}
EHUB_AIR = "ehub_hgh_air_eu"


@pytest.fixture(autouse=True)
def _own_media(settings, tmp_path):
    """Documents go to this test's own folder: references (ORD-000001) repeat across test databases."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")  # shipment papers are private files


@pytest.fixture
def paid_order(db):
    """(seller, buyer, order): six tins of tea from Hangzhou to London, paid."""
    return factories.paid_order(quantity=6)



def signed(body: dict, *, secret: str | None = None, at: int | None = None) -> dict:
    """Keyword arguments for Client.post: the JSON body and the carrier's signature headers, signed
    with the run's CARRIER_WEBHOOK_SECRET unless another secret is given."""
    secret = settings.CARRIER_WEBHOOK_SECRET if secret is None else secret
    raw = json.dumps(body).encode()
    timestamp = int(time.time()) if at is None else at
    return {"data": raw, "content_type": "application/json",
            "headers": {"X-Carrier-Timestamp": str(timestamp), "X-Carrier-Signature": sign(secret, timestamp, raw)}}
