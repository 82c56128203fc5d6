"""Clearance through the HTTP customs authority, end to end: paid orders booked through the API, a real
Celery worker (and beat) lodging each declaration in its standard with a fake authority over real HTTP
(tests/customs/fake_authority.py), which answers the first lodgement 503 after filing it."""

import pytest

from customs.models import ClearanceCase
from marketplace.models import Order
from payments.selectors import ledger_check
from tests import factories
from tests.conftest import wait_for
from tests.factories import api_client as client_for
from tests.journey.test_trade_journey import buy_now

pytestmark = [pytest.mark.journey, pytest.mark.xdist_group("worker")]


def test_orders_to_germany_and_britain_clear_through_the_http_authority_each_filed_once(
        reference_data, http_authority, celery_worker_process):
    # given an authority whose answer to the first lodgement is lost (a 503 after filing), and paid orders of
    # one tin to Berlin and to London
    http_authority.next_posts = [(503, True)]
    seller = factories.seller()
    listing = factories.listing(seller)
    german = buy_now(factories.buyer(country="DE"), listing.pk, 1)
    british = buy_now(factories.buyer(country="GB", currency="GBP"), listing.pk, 1)

    # when the seller books both shipments
    for order in (german, british):
        assert client_for(seller).post(f"/api/v1/orders/{order['id']}/book-shipment/").status_code == 202

    # then the worker lodges each declaration, retries the lost answer, and the authority's acceptance completes
    # both orders
    for order in (german, british):
        wait_for(lambda order=order: Order.objects.get(pk=order["id"]).status == "completed",
                 what=f"order {order['reference']} to complete")
    cases = {case.destination: case for case in ClearanceCase.objects.filter(
        shipment_reference__in=[german["reference"], british["reference"]])}
    filings = http_authority.filings
    assert {lrn: filing.standard for lrn, filing in filings.items()} == {cases["DE"].lrn: "H7",
                                                                          cases["GB"].lrn: "WCO"}
    assert all(case.status == "cleared" and case.mrn == filings[case.lrn].mrn for case in cases.values())
    # each filed once, though one was posted twice
    assert sorted(status for _, status in http_authority.posts) == [201, 201, 503]
    assert all(list(case.events.values_list("action", flat=True)).count("lodged") == 1 for case in cases.values())
    assert filings[cases["GB"].lrn].document.consignee.country == "GB"
    assert filings[cases["DE"].lrn].document.destination_country == "DE"
    assert ledger_check().ok
