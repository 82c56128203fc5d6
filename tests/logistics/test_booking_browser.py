"""In headless Chromium against the live server and a real worker: the Hangzhou seller opens a
paid order, splits it into two parcels, books the Hangzhou eHub, and opens the label (its barcode
scans to the tracking number) and the CN23 the goods' value calls for."""

import re

import pytest

from logistics.models import Shipment
from tests import factories
from tests.browser import log_in
from tests.conftest import wait_for
from tests.logistics.conftest import EHUB_AIR
from tests.logistics.documents.pdf import all_text, decoded_barcodes, pdf_pages

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("worker")]


def test_the_seller_books_two_parcels_through_the_ehub_and_prints_label_and_cn23(
        page, live_server, reference_data, celery_worker_process):
    base = live_server.url
    # given a paid order of twenty tins (about 3,400 CNY: above 300 SDR, so a CN23) to London
    seller, buyer, order = factories.paid_order(quantity=20)

    # when the seller opens it and chooses parcels and service
    log_in(page, base, seller.email)
    page.goto(f"{base}/orders/{order.pk}/")
    page.click("[data-testid=book-options]")
    page.wait_for_url(re.compile(rf"/orders/{order.pk}/book/$"))
    assert page.locator("[data-testid=options] tbody tr").count() >= 3
    page.click("[data-testid=excluded] summary")
    assert "does not collect from CN" in page.locator("[data-testid=excluded]").inner_text()

    # it splits the 7 kg order into two parcels of 3.5 kg
    page.click("[data-testid=add-parcel]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=parcel]").count() == 2
    for index in (0, 1):
        page.fill(f"#id_parcels-{index}-weight_kg", "3.5")
    page.click("[data-testid=rate]")
    page.wait_for_load_state()
    page.check(f"#service-{EHUB_AIR}")
    page.click("[data-testid=book-shipment]")
    page.wait_for_url(re.compile(r"/logistics/shipments/\d+/$"))

    # then the worker books it; the label and the customs papers appear on the shipment page
    shipment = wait_for(lambda: Shipment.objects.exclude(tracking_number="").filter(
        order_reference=order.reference).first(), what="the booking")
    assert shipment.service_code == EHUB_AIR and shipment.parcels.count() == 2
    page.reload()
    assert page.locator("[data-testid=tracking-number]").inner_text() == shipment.tracking_number
    label_href = page.locator("[data-testid=label]").get_attribute("href")
    label = page.request.get(f"{base}{label_href}")
    assert label.headers["content-type"] == "application/pdf"
    pages = pdf_pages(label.body())
    assert len(pages) == 2  # one label per parcel
    for label_page in pages:
        assert shipment.tracking_number in [text for text, _ in decoded_barcodes(label_page)]
    declaration = page.request.get(f"{base}{page.locator('[data-testid=customs-declaration]').get_attribute('href')}")
    assert f'filename="CN23-{shipment.tracking_number}.pdf"' in declaration.headers["content-disposition"]
    assert "CN 23" in all_text(declaration.body())
