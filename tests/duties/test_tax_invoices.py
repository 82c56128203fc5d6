"""VAT charged at the sale (IOSS to the EU up to EUR 150, the UK's up to GBP 135): the tax invoice its buyer
and seller download (read back with PDFium), and the periodic returns, per member state of consumption
(IOSS, monthly) and per quarter (UK), whose totals match the ledger: page, CSV and management command."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from duties.domain.rules import current_period
from duties.models import TaxInvoice
from duties.selectors import vat_return
from duties.services import duty_assessment_record, settlement_run, tax_invoice_issue
from payments.selectors import account_balances, ledger_check
from tests import factories
from tests.duties.conftest import book
from tests.finance.conftest import paid_order
from tests.logistics.documents.pdf import all_text

pytestmark = pytest.mark.django_db


def balance(account: str, currency: str) -> Decimal:
    return next((row["balance"] for row in account_balances(prefix=account)
                 if row["account"] == account and row["currency"] == currency), Decimal(0))


def client(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def invoiced(seller, buyer, quantity: int = 1, listing=None) -> TaxInvoice:
    if listing is None:
        order = paid_order(seller, buyer, quantity=quantity)
    else:
        from marketplace.services.checkout import order_pay, order_place

        order = order_place(buyer=buyer, listing_id=listing.pk, quantity=quantity)
        order_pay(buyer=buyer, order_id=order.pk, card_number="4242424242424242")
    # the worker's part, once the payment succeeded
    from duties.tasks import tax_invoices_issue
    from marketplace.models import Order

    numbers = tax_invoices_issue.run(Order.objects.get(pk=order.pk).checkout.payment.pk)
    invoice = TaxInvoice.objects.filter(reference=order.reference).first()
    assert numbers == ([invoice.number] if invoice else [])
    return invoice


def test_ioss_vat_charged_at_the_sale_gets_a_tax_invoice_with_the_platforms_ioss_number(reference_data):
    # given a buyer in Berlin who bought one tin (about 26 EUR: under IOSS, 7% VAT charged at the sale)
    seller, buyer = factories.seller(), factories.buyer()

    # when the sale is invoiced (the worker does it once the payment succeeds)
    invoice = invoiced(seller, buyer)

    # then the invoice holds the platform's IOSS number, the buyer, the goods, the rate and the VAT
    assert (invoice.scheme, invoice.country, invoice.vat_number, invoice.vat_amount) == (
        "IOSS", "DE", "IM2760000123", Decimal("1.72"))
    pdf = client(buyer).get(f"/duties/tax-invoices/{invoice.pk}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = all_text(pdf.content)
    for expected in ("TAX INVOICE", invoice.number, "IOSS VAT identification number: IM2760000123",
                     buyer.full_name or buyer.email, "Torstraße 45", "Longjing green tea 250 g", "7%",
                     "1.72 EUR", "Total including VAT", "Hangzhou West Lake Tea Co., Ltd.",
                     "Member state of consumption: DE"):
        assert expected in text, expected
    # and the VAT moved in the ledger from what customs is owed to what the IOSS return owes
    assert balance("vat_payable:IOSS:DE", "EUR") == Decimal("-1.72")
    assert balance("duties_payable:DE", "EUR") == 0
    # issuing again (a redelivered task) issues nothing new
    assert tax_invoice_issue(reference=invoice.reference) == invoice
    assert TaxInvoice.objects.count() == 1
    assert ledger_check().ok


def test_the_invoice_is_for_its_buyer_its_seller_and_finance_staff_only(reference_data):
    seller, buyer = factories.seller(), factories.buyer()
    invoice = invoiced(seller, buyer)
    url = f"/duties/tax-invoices/{invoice.pk}.pdf"
    assert client(seller).get(url).status_code == 200
    assert client(factories.finance()).get(url).status_code == 200
    assert client(factories.buyer()).get(url).status_code == 404
    assert client(factories.seller(legal_name="Other Tea Co.")).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the login page
    assert client(buyer).get("/duties/tax-invoices/999999.pdf").status_code == 404
    # the order page links to it, for the buyer and the seller
    from marketplace.domain.references import parse_order_reference

    order_page = client(buyer).get(f"/orders/{parse_order_reference(invoice.reference)}/")
    assert f"/duties/tax-invoices/{invoice.pk}.pdf" in order_page.content.decode()


def test_the_uk_scheme_invoices_vat_under_the_uk_vat_number(reference_data):
    # given a batik scarf (20% VAT in the UK) sold to London for under GBP 135
    listing = factories.batik_listing(price_amount=Decimal("120.00"))
    invoice = invoiced(None, factories.buyer(country="GB", currency="GBP"), listing=listing)
    assert (invoice.scheme, invoice.vat_number, invoice.currency) == ("UK", "GB123456789", "GBP")
    assert invoice.vat_lines[0]["rate"] == "20"
    text = all_text(client(factories.finance()).get(f"/duties/tax-invoices/{invoice.pk}.pdf").content)
    assert "UK VAT registration number: GB123456789" in text and "20%" in text


def test_no_invoice_without_vat_at_the_sale_or_without_the_platforms_number(reference_data, settings):
    seller = factories.seller()
    # ten tins (about 236 EUR) pay VAT at the border, not at the sale
    assert invoiced(seller, factories.buyer(), quantity=10) is None
    # the IOSS number not configured: no invoice (staff see "not configured" on the returns page)
    settings.CUSTOMS_IOSS_NUMBER = ""
    assert invoiced(seller, factories.buyer()) is None
    assert not TaxInvoice.objects.exists()


def test_a_released_ioss_order_owes_nothing_at_the_border(reference_data):
    # given an IOSS order invoiced, then released by customs
    from tests.customs.conftest import drive

    seller = factories.seller()
    order = paid_order(seller, factories.buyer(), quantity=1)
    tax_invoice_issue(reference=order.reference)
    assert drive(book(seller, order).pk) == "cleared"

    # then nothing is owed at the border, so nothing is paid to the authority: the VAT goes by the return
    assert duty_assessment_record(reference=order.reference).assessed_amount == 0
    assert settlement_run() == []
    assert ledger_check().ok


def test_the_ioss_return_totals_per_member_state_match_the_invoices_and_the_ledger(reference_data):
    # given two tins sold to Germany and one to France this month, and one sale to the UK
    seller = factories.seller()
    for buyer in (factories.buyer(), factories.buyer(), factories.buyer(country="FR")):
        invoiced(seller, buyer)
    invoiced(None, factories.buyer(country="GB", currency="GBP"),
             listing=factories.batik_listing(price_amount=Decimal("120.00")))
    period = current_period("IOSS", timezone.localdate())

    # when finance asks for this month's IOSS return
    report = vat_return(scheme="IOSS", period=period)

    # then one row per member state, totals as invoiced and as in the ledger
    rows = {row.country: row for row in report.rows}
    assert set(rows) == {"DE", "FR"}
    de_vat = sum(TaxInvoice.objects.filter(country="DE").values_list("vat_amount", flat=True), Decimal(0))
    assert (rows["DE"].invoices, rows["DE"].vat.amount, rows["DE"].ledger_vat.amount) == (2, de_vat, de_vat)
    assert rows["FR"].invoices == 1 and rows["FR"].reconciles
    assert report.reconciles and report.vat_number == "IM2760000123"

    # the page, its CSV and the command say the same
    staff = client(factories.finance())
    page = staff.get("/duties/staff/vat-returns/", {"scheme": "IOSS", "period": period})
    assert page.status_code == 200 and str(de_vat) in page.content.decode()
    exported = staff.get("/duties/staff/vat-returns.csv", {"scheme": "IOSS", "period": period})
    table = list(csv.reader(io.StringIO(exported.content.decode())))
    assert table[0] == ["scheme", "period", "vat_number", "country", "currency", "invoices", "net", "vat",
                        "ledger_vat"]
    assert [row[3] for row in table[1:]] == ["DE", "FR"]
    assert table[1][7] == table[1][8] == str(de_vat)
    out = io.StringIO()
    call_command("vat_return", "--scheme", "IOSS", "--period", period, stdout=out)
    assert list(csv.reader(io.StringIO(out.getvalue()))) == table
    # the UK's quarter holds the scarf
    uk = vat_return(scheme="UK", period=current_period("UK", timezone.localdate()))
    assert [(row.country, row.invoices) for row in uk.rows] == [("GB", 1)]
    # and another month holds nothing
    assert vat_return(scheme="IOSS", period="2020-01").rows == []


def test_a_bad_period_is_a_clear_error_on_the_page_the_csv_and_the_command(reference_data):
    staff = client(factories.finance())
    page = staff.get("/duties/staff/vat-returns/", {"scheme": "UK", "period": "2026-12"})
    assert page.status_code == 400
    assert "quarterly" in page.content.decode()
    assert staff.get("/duties/staff/vat-returns.csv", {"scheme": "IOSS", "period": "December"}).status_code == 400
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("vat_return", "--scheme", "IOSS", "--period", "2026-Q4", stdout=io.StringIO())


def test_the_settlements_page_shows_what_each_authority_is_owed_and_was_paid(reference_data):
    from tests.duties.conftest import released

    order = released(factories.seller(), factories.buyer(), assessed={"amount": "25.00", "currency": "EUR"})
    duty_assessment_record(reference=order.reference)
    staff = client(factories.finance())
    page = staff.get("/duties/staff/settlements/").content.decode()
    assert "25.00" in page and order.reference in page
    settlement_run()
    page = staff.get("/duties/staff/settlements/").content.decode()
    assert "DS-DE-EUR-" in page and "SIMPAY" in page
    assert client(factories.buyer()).get("/duties/staff/settlements/").status_code == 403
