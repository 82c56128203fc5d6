"""The trade journey clicked through in headless Chromium against the live server and a real
worker: a seller lists, a buyer puts goods from two sellers in the cart and pays once, the seller
books, an officer releases the hold, and the order completes with the seller paid."""

import re

import pytest

from accounts.selectors import company_of
from marketplace.models import Order
from tests import factories
from tests.browser import log_in
from tests.conftest import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("worker")]



def test_trade_journey_in_the_browser(page, live_server, reference_data, celery_worker_process):
    base = live_server.url
    seller, buyer, officer = factories.seller(), factories.buyer(country="DE"), factories.officer()
    batik = factories.batik_listing()

    # the seller lists a product in the browser
    log_in(page, base, seller.email)
    page.goto(f"{base}/sell/listings/new/")
    page.fill("#id_title_en", "Longjing green tea, 250 g tin")
    page.fill("#id_title_zh", "龙井绿茶")
    page.fill("#id_hs_code", "090210")
    page.fill("#id_origin_country", "CN")
    page.fill("#id_price_amount", "168.00")
    page.fill("#id_stock", "40")
    page.fill("#id_weight_kg", "0.35")
    page.click("[data-testid=save]")
    page.wait_for_url(re.compile(r"/listings/\d+/$"))

    # a buyer in Germany finds it with a landed cost in euros, puts six tins and a Malaysian scarf in the cart
    log_in(page, base, buyer.email)
    page.goto(f"{base}/?q=green+tea")
    card = page.locator("[data-testid=catalog] li", has_text="Longjing green tea")
    assert "EUR" in card.inner_text()
    card.locator("a").first.click()
    page.fill("#cart_quantity", "20")
    page.click("[data-testid=add-to-cart]")
    page.wait_for_url(re.compile(r"/cart/$"))
    page.goto(f"{base}/listings/{batik.pk}/")
    page.click("[data-testid=add-to-cart]")
    page.wait_for_url(re.compile(r"/cart/$"))

    # checks out and lands on one pay page with both sellers' orders and one total
    page.click("[data-testid=checkout]")
    page.wait_for_url(re.compile(r"/checkout/CHK-\d+/$"))
    assert page.locator("[data-testid=checkout-order]").count() == 2
    assert "EUR" in page.locator("[data-testid=checkout-total]").inner_text()

    # a declined card is refused on the page; the good card pays both orders at once
    page.fill("#id_card_number", "4000 0000 0000 0002")
    page.click("[data-testid=pay]")
    page.wait_for_load_state()
    assert "declined" in page.content()
    page.fill("#id_card_number", "4242 4242 4242 4242")
    page.click("[data-testid=pay]")
    page.wait_for_url(re.compile(r"/orders/$"))
    orders = list(Order.objects.filter(buyer=buyer).order_by("pk"))
    assert [o.status for o in orders] == ["paid", "paid"]
    order_id = next(o.pk for o in orders if o.company_id == company_of(seller).pk)

    # the seller books the shipment
    log_in(page, base, seller.email)
    page.goto(f"{base}/orders/{order_id}/")
    page.click("[data-testid=book]")
    reference = Order.objects.get(pk=order_id).reference

    # customs holds it (about 400 EUR is above the 300 EUR review threshold); the officer releases it
    log_in(page, base, officer.email)
    from customs.models import ClearanceCase

    case = wait_for(lambda: ClearanceCase.objects.filter(shipment_reference=reference, status="held").first(),
                    what="the hold")
    page.goto(f"{base}/customs/console/")
    page.locator("[data-testid=holds] tr", has_text=reference).get_by_role("link").click()
    page.fill("#reason", "Invoice matches the listing.")
    page.click("[data-testid=release]")
    page.wait_for_url(re.compile(r"/customs/console/$"))
    case.refresh_from_db()
    assert case.status in ("submitted", "released", "cleared")  # lodged with the customs authority

    # the buyer watches the order complete, and the seller sees the payout in yuan
    wait_for(lambda: Order.objects.get(pk=order_id).status == "completed", what="the order to complete")
    log_in(page, base, buyer.email)
    page.goto(f"{base}/orders/{order_id}/")
    assert "Completed" in page.locator("[data-testid=order-status]").inner_text()
    assert "Delivered" in page.locator(".timeline").inner_text()
    log_in(page, base, seller.email)
    page.goto(f"{base}/sell/")
    assert "CNY" in page.locator("[data-testid=payout]").first.inner_text()
