"""Accepts racing over real concurrent database connections (PostgreSQL row locks): the seller's credit
line is locked, so two offers that each fit the limit but not together make one advance, and one offer
accepted from five tabs at once pays out once."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from ewtp.exceptions import ApplicationError
from finance import services
from finance.models import Advance
from payments.models import LedgerTransaction
from payments.selectors import ledger_check
from tests.finance.conftest import paid_order, seasoned_seller

pytestmark = pytest.mark.xdist_group("worker")


@pytest.fixture
def seller_with_two_offers(transactional_db, reference_data):
    if connection.vendor != "postgresql":
        pytest.skip("Row locks that make one connection wait for another: PostgreSQL only")
    seller, buyer = seasoned_seller()
    offers = [services.advance_offer_create(user=seller, order_ids=[paid_order(seller, buyer, 20).pk])
              for _ in range(2)]
    assert all(offer.maximum == offer.available for offer in offers)  # each takes the whole limit
    return seller, offers


def _accept(seller, offer) -> str:
    try:
        services.advance_accept(user=seller, offer_id=offer.pk, amount=offer.maximum)
        return "accepted"
    except ApplicationError as exc:
        return exc.code
    finally:
        connection.close()  # each thread used its own connection


def test_two_offers_that_fit_the_limit_only_one_at_a_time_make_one_advance(seller_with_two_offers):
    seller, offers = seller_with_two_offers
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(lambda offer: _accept(seller, offer), offers))
    assert outcomes == ["accepted", "offer_changed"]
    assert Advance.objects.count() == 1
    assert LedgerTransaction.objects.filter(kind="advance_paid_out").count() == 1
    assert ledger_check().ok


def test_one_offer_accepted_from_five_tabs_at_once_pays_out_once(seller_with_two_offers):
    seller, (offer, _other) = seller_with_two_offers
    with ThreadPoolExecutor(max_workers=5) as pool:
        outcomes = sorted(pool.map(lambda _: _accept(seller, offer), range(5)))
    assert outcomes == ["accepted"] + ["already_accepted"] * 4
    assert Advance.objects.count() == 1 and ledger_check().ok
