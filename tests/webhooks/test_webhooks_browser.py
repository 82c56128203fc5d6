"""A seller adds a webhook endpoint in a real browser, on a phone-sized screen, and copies its secret."""

import os

import pytest

from tests import factories
from tests.browser import log_in
from webhooks.models import Endpoint

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_seller_adds_an_endpoint_on_a_phone(live_server, page, receiver):
    seller = factories.seller()
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server.url, seller.email)
    page.goto(f"{live_server.url}/webhooks/")
    page.fill("input[name=url]", receiver.url)
    page.check("input[name=events][value='order.paid']")
    page.check("input[name=events][value='shipment.customs_held']")
    page.click("[data-testid=add]")
    page.wait_for_load_state()
    endpoint = Endpoint.objects.get()
    assert page.inner_text("[data-testid=new-secret]").count(endpoint.secret) == 1
    assert endpoint.events == ["order.paid", "shipment.customs_held"]
    # the page fits the phone: nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    if os.environ.get("SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOTS"], "webhook-endpoint.png"), full_page=True)
    page.reload()
    assert page.locator("[data-testid=new-secret]").count() == 0  # shown once
