"""On a phone, in headless Chromium against the live server: the buyer writes to the seller from the order
page, the seller answers, and once the order is delivered the buyer reviews the seller; the pages fit the
screen."""

import pytest

from marketplace.models import Order
from marketplace.services.checkout import order_pay, order_place
from marketplace.services.orders import order_book_shipment, order_follow_shipment
from tests import factories
from tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("worker")]

PHONE = {"width": 375, "height": 740}


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def delivered(transactional_db, reference_data):
    seller, buyer = factories.seller(), factories.buyer(country="GB", currency="GBP")
    listing = factories.listing(seller)
    order = order_place(buyer=buyer, listing_id=listing.pk, quantity=2)
    order_pay(buyer=buyer, order_id=order.pk, card_number="4242424242424242")
    order_book_shipment(user=seller, order_id=order.pk)
    order_follow_shipment(reference=order.reference, shipment_status="delivered")
    return seller, buyer, Order.objects.get(pk=order.pk), listing


def test_buyer_and_seller_talk_and_the_buyer_reviews_on_a_phone(page, live_server, delivered):
    seller, buyer, order, listing = delivered
    base = live_server.url
    page.set_viewport_size(PHONE)

    # the buyer writes from the order page
    log_in(page, base, buyer.email)
    page.goto(f"{base}/orders/{order.pk}/")
    page.fill("#msg_body", "Could you add a gift card? It is a present for a long-standing customer of ours.")
    page.click("[data-testid=send-message]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=message]").count() == 1
    assert fits_the_screen(page)

    # the seller sees it on the same order and answers
    log_in(page, base, seller.email)
    page.goto(f"{base}/orders/{order.pk}/")
    assert "gift card" in page.locator("[data-testid=conversation-panel]").inner_text()
    page.fill("#msg_body", "Of course, we will add one.")
    page.click("[data-testid=send-message]")
    page.wait_for_load_state()
    assert fits_the_screen(page)

    # the buyer reads the answer, then reviews the delivered order
    log_in(page, base, buyer.email)
    page.goto(f"{base}/orders/{order.pk}/")
    assert "we will add one" in page.locator("[data-testid=conversation-panel]").inner_text()
    page.check("#review_rating_0")  # five stars
    page.fill("#review_body", "Lovely tea and a kind seller.")
    page.click("[data-testid=send-review]")
    page.wait_for_load_state()
    assert "Lovely tea and a kind seller." in page.locator("[data-testid=order-review]").inner_text()
    assert fits_the_screen(page)

    # the listing page shows the review with the listing bought, on the phone too
    page.goto(f"{base}/listings/{listing.pk}/")
    reviews = page.locator("[data-testid=reviews]")
    assert "Lovely tea" in reviews.inner_text() and "5.0 out of 5" in reviews.inner_text()
    assert fits_the_screen(page)
