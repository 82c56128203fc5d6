"""Rules of origin end to end, in headless Chromium against the live server and a real worker: a Malaysian
tea seller declares its materials; a buyer in Japan is quoted MFN duty while the tea is blended from Chinese
leaves (CPTPP's change of chapter and 40% regional value content both fail), and clearance asks for no proof;
with Malaysian leaves the same tea is quoted CPTPP's 0%, the invoice carries the certification's text, and
clearance asks for the proof of origin, which the seller uploads. Bad input is refused and changes nothing."""

import re
from decimal import Decimal

import pytest

from customs.models import ClearanceCase
from marketplace.models import ListingOriginDeclaration, Order
from tests import factories
from tests.browser import log_in
from tests.conftest import wait_for
from tests.factories import api_client as client_for
from tests.journey.test_trade_journey import buy_now

pytestmark = [pytest.mark.browser, pytest.mark.journey, pytest.mark.xdist_group("worker")]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def declare(page, base: str, listing_id: int, materials: str, *, price: str = "30.00", reference: str = "MY-EXP-7"):
    page.goto(f"{base}/sell/listings/{listing_id}/origin/")
    page.fill("#id_ex_works_price", price)
    page.fill("#id_exporter_reference", reference)
    page.fill("#id_materials", materials)
    page.click("[data-testid=save-origin]")
    page.wait_for_load_state()


def duty_on_the_product_page(page, base: str, listing_id: int) -> str:
    page.goto(f"{base}/listings/{listing_id}/")
    why = page.locator("details", has_text="Why this duty")
    why.locator("summary").click()
    return why.inner_text()


def case_of(order_id: int):
    reference = Order.objects.get(pk=order_id).reference
    return ClearanceCase.objects.filter(shipment_reference=reference).first()


def test_a_preference_is_refused_when_the_rule_of_origin_fails_and_granted_when_it_holds(
        page, live_server, reference_data, celery_worker_process, tmp_path):
    base = live_server.url
    seller = factories.seller(country="MY", currency="MYR", legal_name="Cameron Highlands Tea Sdn. Bhd.")
    buyer = factories.buyer(country="JP", currency="JPY")
    listing = factories.listing(seller, title_en="Highland green tea 250 g", title_zh="高原绿茶",
                                price_amount=Decimal("60.00"), moq=20)  # 20 tins: above Japan's de minimis

    # the seller declares its materials in the browser: a bad HS code is refused at the material, nothing saved
    log_in(page, base, seller.email)
    declare(page, base, listing.pk, "green tea leaves; 0902.10; CN; 20.00\ntin; 9999.99; CN; 4.00")
    assert "Material 2" in page.locator("[data-testid=origin-form]").inner_text()
    declare(page, base, listing.pk, "green tea leaves; 0902.10; CN; 40.00", price="30.00")
    assert "more than the ex-works price" in page.locator("[data-testid=origin-form]").inner_text()
    assert not ListingOriginDeclaration.objects.exists()

    # and declares the tea as blended from Chinese leaves (two thirds of the ex-works price)
    declare(page, base, listing.pk, "green tea leaves; 0902.10; CN; 20.00\ntin; 8309.90; MY; 4.00")
    assert "Origin declaration saved" in page.content()

    # a buyer in Japan sees MFN duty on the product page, with the reason the preference is refused
    log_in(page, base, buyer.email)
    why = duty_on_the_product_page(page, base, listing.pk)
    assert "mfn: 17.00%" in why and "rule of origin not met" in why and "RVC 33.3% < 40%" in why

    # and buys twenty tins: the order's duty is MFN; the seller books, clearance asks for no proof of origin
    refused = buy_now(buyer, listing.pk, 20)
    snapshot = Order.objects.get(pk=refused["id"]).snapshot
    assert snapshot.customs.lines[0].rule == "mfn" and snapshot.customs.duty.amount > 0
    assert client_for(seller).post(f"/api/v1/orders/{refused['id']}/book-shipment/").status_code == 202
    case = wait_for(lambda: (c := case_of(refused["id"])) and c.status not in (
        "pending", "declared", "screening", "assessed", "auto_released") and c, what="the MFN case to be decided")
    assert "preference_without_proof" not in set(case.findings.values_list("kind", flat=True))
    assert not case.document_requests.exists()
    assert case.status != "awaiting_documents"

    # the seller switches to Malaysian leaves (the same product, its materials originating)
    log_in(page, base, seller.email)
    declare(page, base, listing.pk, "green tea leaves; 0902.10; MY; 20.00\ntin; 8309.90; CN; 4.00")
    assert "Origin declaration saved" in page.content()

    # the buyer now sees CPTPP's 0% with the rule met
    log_in(page, base, buyer.email)
    why = duty_on_the_product_page(page, base, listing.pk)
    assert "preference:CPTPP: 0.00%" in why and "rule of origin met" in why

    # and buys twenty tins at the preferential duty
    granted = buy_now(buyer, listing.pk, 20)
    snapshot = Order.objects.get(pk=granted["id"]).snapshot
    assert snapshot.customs.lines[0].rule == "preference:CPTPP"
    assert snapshot.customs.duty.amount == 0 < Order.objects.get(pk=refused["id"]).snapshot.customs.duty.amount

    # the seller books: the invoice carries the CPTPP certification with the exporter's reference, and
    # clearance asks for the proof of origin
    assert client_for(seller).post(f"/api/v1/orders/{granted['id']}/book-shipment/").status_code == 202
    case = wait_for(lambda: (c := case_of(granted["id"])) and c.status == "awaiting_documents" and c,
                    what="the preferential case to ask for the proof of origin")
    assert set(case.findings.values_list("kind", flat=True)) == {"preference_without_proof"}
    from tests.logistics.documents.pdf import all_text

    shipment_id = Order.objects.get(pk=granted["id"]).reference
    from logistics.models import Shipment

    shipment = Shipment.objects.get(order_reference=shipment_id)
    log_in(page, base, seller.email)
    invoice = page.request.get(f"{base}/logistics/shipments/{shipment.pk}/documents/commercial-invoice.pdf")
    text = " ".join(all_text(invoice.body()).split())
    assert "PROOF OF ORIGIN" in text and "MY-EXP-7" in text and "CPTPP" in text

    # the seller uploads the certification in the browser: a missing number is refused and changes nothing
    proof = tmp_path / "certification.pdf"
    proof.write_bytes(PDF)
    page.goto(f"{base}/customs/my-cases/")
    tasks = page.locator("[data-testid=tasks]")
    tasks.locator("input[type=file]").set_input_files(str(proof))
    tasks.locator("input[name=proof_issued_on]").fill("2026-01-02")
    tasks.locator("[data-testid=upload]").click()
    page.wait_for_load_state()
    assert "number of the certificate" in page.content()
    case.refresh_from_db()
    assert case.status == "awaiting_documents" and not case.documents.exists()
    tasks = page.locator("[data-testid=tasks]")
    tasks.locator("input[type=file]").set_input_files(str(proof))
    tasks.locator("input[name=proof_number]").fill("MY-CPTPP-0042")
    tasks.locator("input[name=proof_issued_on]").fill("2026-01-02")
    tasks.locator("[data-testid=upload]").click()
    page.wait_for_load_state()
    assert re.search("screens the shipment again", page.content())

    # then the case is screened again with the proof and leaves the wait for documents
    wait_for(lambda: case_of(granted["id"]).status not in ("awaiting_documents", "declared", "screening"),
             what="the case to be screened again")
    case.refresh_from_db()
    assert case.declaration["proof_of_origin"]["agreement"] == "CPTPP"
    assert "preference_without_proof" not in set(
        case.findings.filter(superseded_at__isnull=True).values_list("kind", flat=True))
