"""A business buyer's whole journey — sign-up, their company with its VAT and EORI numbers, an address,
a failed sign-in, a wrong link, checkout, payment, the seller's booking, clearance, delivery, the payout —
with every logger at DEBUG and SQL logged: none of the buyer's email, name, address, phone or tax ids
reaches the log the configured handlers write."""

from __future__ import annotations

import io
import logging
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import User
from accounts.selectors import company_of
from customs.models import ClearanceCase
from logistics.models import Shipment
from logistics.services import shipment_book
from marketplace.models import Order
from marketplace.services.orders import order_release_escrow
from payments.selectors import ledger_check
from tests import factories
from tests.customs.conftest import drive
from tests.factories import api_client
from tests.logistics.test_carrier_vs_customs import push

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n" + b"0" * 64
BUYER = {"email": "greta.musterfrau@teehaus-berlin.example", "full_name": "Greta Musterfrau",
         "address": "Unter den Linden 77", "postcode": "10117", "vat": "DE136695976", "vat_typed": "DE 136 695 976",
         "eori": "DE1234567", "phone": "+49 30 1234567", "company_address": "Torstraße 45"}


@pytest.fixture
def every_log_line():
    """The configured console handler writes into a buffer; every logger logs at DEBUG, SQL included. A
    second, unfiltered handler (placed first) shows what the filter had to take out."""
    from ewtp.log_redaction import RedactPersonalData

    root = logging.getLogger()
    (console,) = [h for h in root.handlers if any(isinstance(f, RedactPersonalData) for f in h.filters)]
    filtered, raw = io.StringIO(), io.StringIO()
    old_stream = console.setStream(filtered)
    unfiltered = logging.StreamHandler(raw)
    root.handlers.insert(0, unfiltered)
    loggers = [root, *(lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger))]
    levels = {lg: lg.level for lg in loggers}
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
    connection.force_debug_cursor = True
    try:
        yield filtered, raw
    finally:
        connection.force_debug_cursor = False
        for lg, level in levels.items():
            lg.setLevel(level)
        root.removeHandler(unfiltered)
        console.setStream(old_stream)


def test_the_buyers_personal_data_never_reaches_the_log(every_log_line, settings, django_capture_on_commit_callbacks):
    filtered, raw = every_log_line
    settings.CUSTOMS_AUTHORITY_DELAY_SECONDS = 0
    seller = factories.seller()
    tea = factories.listing(seller, stock=40)

    # the buyer signs up, registers their company, adds an address, mistypes their password once
    buyer_page = Client()
    signed_up = buyer_page.post("/accounts/signup/", {"email": BUYER["email"], "password": factories.PASSWORD,
                                                      "full_name": BUYER["full_name"], "country": "DE",
                                                      "account_type": "seller"})
    assert signed_up.status_code == 302
    registered = buyer_page.post("/sell/company/", {
        "legal_name": "Musterfrau Teehandel e.K.", "country": "DE", "city": "Berlin",
        "address": BUYER["company_address"], "postcode": "10119", "vat_number": BUYER["vat_typed"],
        "eori_number": BUYER["eori"], "currency": "EUR", "contact_name": BUYER["full_name"],
        "contact_email": BUYER["email"], "contact_phone": BUYER["phone"],
        "business_licence": SimpleUploadedFile("licence.pdf", PDF, content_type="application/pdf")})
    assert registered.status_code == 302
    buyer = User.objects.get(email=BUYER["email"])
    assert company_of(buyer).vat_number == BUYER["vat"]
    added = buyer_page.post("/accounts/profile/addresses/", {
        "action": "add", "address-name": BUYER["full_name"], "address-line": BUYER["address"],
        "address-city": "Berlin", "address-postcode": BUYER["postcode"], "address-country": "DE",
        "address-make_default": "on"})
    assert added.status_code == 302
    buyer.refresh_from_db()
    assert buyer.address_line == BUYER["address"]
    assert Client().post("/accounts/login/", {"username": BUYER["email"], "password": "wrong"}).status_code == 200
    assert buyer_page.get(f"/orders/{BUYER['email']}/").status_code == 404  # logged by django.request

    # and buys six tins through the API, paying once
    api = api_client(buyer)
    assert api.post("/api/v1/cart/lines/", {"listing": tea.pk, "quantity": 6}, format="json").status_code == 201
    checkout = api.post("/api/v1/cart/checkout/", {}, format="json").json()
    paid = api.post(f"/api/v1/checkouts/{checkout['reference']}/pay/", {
        "card_number": "4242 4242 4242 4242", "expected_total": checkout["total"]}, format="json")
    assert paid.json()["status"] == "succeeded"
    order = Order.objects.get(buyer=buyer)

    # the seller books; the worker's steps, the authority and the carrier follow; the seller is paid
    with django_capture_on_commit_callbacks():
        assert api_client(seller).post(f"/api/v1/orders/{order.pk}/book-shipment/").status_code == 202
    shipment = Shipment.objects.get(order_reference=order.reference)
    shipment_book(shipment_id=shipment.pk)
    assert drive(ClearanceCase.objects.get(shipment_reference=order.reference).pk) == "cleared"
    shipment.refresh_from_db()
    push(shipment, ("delivered", timezone.now() + timedelta(minutes=1)))
    order_release_escrow(order_id=order.pk)
    assert Order.objects.get(pk=order.pk).status == "completed" and ledger_check().ok

    # then the log is full of the journey...
    log, unfiltered = filtered.getvalue(), raw.getvalue()
    assert "INSERT INTO" in log and "Not Found: /orders/[email]/" in log
    # ...and holds none of the buyer's personal data, which the unfiltered handler did see
    for key, value in BUYER.items():
        assert value.lower() not in log.lower(), f"the buyer's {key} is in the log"
    assert BUYER["email"] in unfiltered and BUYER["full_name"] in unfiltered
