import pytest

from tests import factories
from tests.webhooks.receiver import Receiver, start


@pytest.fixture
def receiver():
    found = Receiver()
    server = start(found)
    yield found
    server.shutdown()
    server.server_close()


@pytest.fixture
def seller(db):
    return factories.seller()


def subscribe(seller, receiver, events=None):
    """An endpoint of the seller's at the receiver, which learns its secret."""
    from webhooks.domain.events import EVENT_TYPES
    from webhooks.services import endpoint_create

    endpoint = endpoint_create(user=seller, url=receiver.url, events=events or list(EVENT_TYPES))
    receiver.secret = endpoint.secret
    return endpoint


def record(seller, type="order.paid", key="order.paid:ORD-1", data=None):
    """An event of the seller's company, as a receiver records it; returns its deliveries."""
    from accounts.selectors import company_of
    from webhooks.models import Delivery
    from webhooks.services import event_record

    event = event_record(type=type, company_id=company_of(seller).pk, dedupe_key=key,
                         data=data or {"order": "ORD-1"})
    return list(Delivery.objects.filter(event=event)) if event else []
