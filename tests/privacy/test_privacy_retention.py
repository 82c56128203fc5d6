"""After an erasure the records the law makes us keep stay until their retention period ends (customs
records 3 years, accounting 10 by default); then the beat task anonymises them too, once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import Company
from accounts.selectors import company_of
from customs.models import ClearanceCase
from ewtp.celery import app
from logistics.models import Shipment
from marketplace.models import Order
from payments.models import LedgerEntry, Payment
from payments.selectors import ledger_check
from privacy.models import ErasureRequest
from privacy.services import erasure_purge, erasure_purge_due, erasure_request
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_purge_is_a_beat_task():
    entry = settings.CELERY_BEAT_SCHEDULE["privacy-purge-after-retention"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks and entry["task"] == "privacy.tasks.erasure_purge_due"


def test_kept_records_are_anonymised_when_each_retention_period_ends(completed_order):
    seller, buyer, order = completed_order
    name = buyer.full_name
    erasure = erasure_request(user=buyer, password=PASSWORD)
    ledger = list(LedgerEntry.objects.values_list("id", "account", "amount", "currency").order_by("id"))
    now = timezone.now()
    shipment = lambda: Shipment.objects.get(order_reference=order.reference)  # noqa: E731
    case = lambda: ClearanceCase.objects.get(shipment_reference=order.reference)  # noqa: E731

    # within both periods nothing is due and nothing changes
    assert erasure_purge_due(now=now + timedelta(days=30)) == 0
    assert shipment().recipient["name"] == name and Order.objects.get(pk=order.pk).ship_name == name

    # when the customs period is over: the shipment and the declaration no longer name the buyer
    after_customs = now + timedelta(days=settings.PRIVACY_CUSTOMS_RETENTION_DAYS, hours=1)
    assert erasure_purge_due(now=after_customs) == 1
    assert shipment().recipient == {"name": "[erased]", "company": "", "lines": [], "city": "", "postcode": "",
                                    "country": "GB"}
    declaration = case().declaration
    assert declaration["consignee"]["name"] == "[erased]" and declaration["consignee"]["lines"] == []
    assert declaration["lines"] and case().status == "cleared"  # the goods, values and decision stay
    # but the order is an invoice: kept, with its ship-to, for the accounting period
    assert Order.objects.get(pk=order.pk).ship_name == name
    assert ErasureRequest.objects.get(pk=erasure.pk).status == "erased"
    assert erasure_purge_due(now=after_customs) == 0  # done once

    # when the accounting period is over too: the order and the payment follow, the request is purged
    after_accounting = now + timedelta(days=settings.PRIVACY_ACCOUNTING_RETENTION_DAYS, hours=1)
    assert erasure_purge_due(now=after_accounting) == 1
    kept = Order.objects.get(pk=order.pk)
    assert (kept.ship_name, kept.ship_address, kept.ship_city, kept.ship_postcode) == ("[erased]", "", "", "")
    assert kept.ship_country == "GB" and kept.total_amount == order.total_amount
    assert Payment.objects.get(buyer_id=buyer.pk).card_last4 == ""
    purged = ErasureRequest.objects.get(pk=erasure.pk)
    assert purged.status == "purged" and purged.summary["purged_accounting"]["orders"] == 1
    # and the ledger never moved
    assert list(LedgerEntry.objects.values_list("id", "account", "amount", "currency").order_by("id")) == ledger
    assert ledger_check().ok
    # running again changes nothing
    assert erasure_purge(erasure_id=erasure.pk, now=after_accounting).summary == purged.summary


def test_an_erased_sellers_name_leaves_the_parcels_they_sent_and_their_company_its_tax_ids(completed_order):
    seller, buyer, order = completed_order
    company = Company.objects.get(pk=company_of(seller).pk)
    company.vat_number, company.eori_number = "GB123456789", "GB123456789000"
    company.save()
    assert Shipment.objects.get(order_reference=order.reference).sender["email"] == seller.email
    erasure = erasure_request(user=seller, password=PASSWORD)
    later = timezone.now() + timedelta(days=settings.PRIVACY_ACCOUNTING_RETENTION_DAYS + 1)
    erasure_purge(erasure_id=erasure.pk, now=later)
    sender = Shipment.objects.get(order_reference=order.reference).sender
    assert sender["name"] == "[erased]" and "email" not in sender and sender["company"] == company.legal_name
    assert ClearanceCase.objects.get(shipment_reference=order.reference).declaration["consignor"]["name"] == "[erased]"
    # the buyer's side is theirs, not the seller's: untouched
    assert Shipment.objects.get(order_reference=order.reference).recipient["name"] == buyer.full_name
    company.refresh_from_db()
    assert (company.vat_number, company.eori_number, company.tax_id, company.address) == ("", "", "", "")
