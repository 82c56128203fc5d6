"""The quote an order stores: versioned, read back to the same typed values, older versions still read,
and a payload that is not one refused with the field at fault."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal

import pytest

from ewtp.money import Money
from ewtp.trade import PayloadError
from marketplace.domain.quote_snapshot import VERSION, FxUsed, QuoteSnapshot
from marketplace.services.checkout import order_place
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(reference_data):
    tea = factories.listing(factories.seller(), title_en="Longjing green tea")
    return order_place(buyer=factories.buyer(country="DE", currency="EUR"), listing_id=tea.pk, quantity=2)


def test_an_order_stores_its_quote_as_a_versioned_snapshot_that_reads_back_the_same(order):
    stored = order.quote
    snapshot = order.snapshot
    assert stored["version"] == VERSION
    assert QuoteSnapshot.from_json(snapshot.to_json()) == snapshot
    assert snapshot.to_json() == stored
    # typed figures that add up as the order's totals do
    assert snapshot.total_payable_now == Money(order.total_amount, order.currency)
    assert snapshot.goods + snapshot.shipping + snapshot.duties_payable_now == snapshot.total_payable_now
    assert snapshot.customs.duty + sum((t.amount for t in snapshot.customs.taxes), Money.zero(order.currency)) \
        + sum((f.amount for f in snapshot.customs.fees), Money.zero(order.currency)) == snapshot.duties_estimate
    assert snapshot.fx.base == "CNY" and snapshot.fx.quote == "EUR" and snapshot.fx.rate > 0


def test_a_quote_stored_before_versions_still_reads(order):
    # the shape stored until now: no version, the API's answer as "customs" (with its restrictions), requoted None
    old = copy.deepcopy(order.quote)
    del old["version"]
    old["customs"]["restrictions"] = []
    old["requoted"] = None
    assert QuoteSnapshot.from_json(old) == order.snapshot


@pytest.mark.parametrize(("break_it", "field"), [
    (lambda q: q.update(version=3), "version"),
    (lambda q: q.pop("goods"), "quote.goods"),
    (lambda q: q["customs"]["lines"][0].update(duty="12"), "customs.lines[0].duty"),
    (lambda q: q["customs"]["taxes"][0].update(rate="high"), "customs.taxes[0].rate"),
    (lambda q: q.update(shipping_days=[1]), "shipping_days"),
    (lambda q: q["fx"].update(as_of="yesterday"), "fx"),
])
def test_a_payload_that_is_not_a_stored_quote_is_refused_naming_the_field(order, break_it, field):
    broken = copy.deepcopy(order.quote)
    break_it(broken)
    with pytest.raises(PayloadError) as refused:
        QuoteSnapshot.from_json(broken)
    assert refused.value.field == field


def test_a_requote_is_recorded_in_the_snapshot_and_the_order_reads_the_new_one(order):
    before = order.snapshot
    order.quote = before.but(requoted={"order": order.reference, "figures": []},
                             goods=before.goods + Money(Decimal("1.00"), before.currency)).to_json()
    assert order.snapshot.requoted == {"order": order.reference, "figures": []}
    assert order.snapshot.goods == before.goods + Money(Decimal("1.00"), before.currency)


@pytest.mark.parametrize(("base", "quote", "publisher"), [
    ("CNY", "EUR", "ECB euro foreign exchange reference rates"),
    ("VND", "EUR", "State Bank of Vietnam central rate of 2025-10-21 (25099 VND/USD) x ECB USD of 2025-10-21 (1.1607)"),
    ("EUR", "VND", "State Bank of Vietnam central rate of 2025-10-21 (25099 VND/USD) x ECB USD of 2025-10-21 (1.1607)"),
])
def test_the_rate_names_the_publisher_of_its_own_pair(base, quote, publisher):
    source = ("ECB euro foreign exchange reference rates; VND: State Bank of Vietnam central rate of 2025-10-21 "
              "(25099 VND/USD) x ECB USD of 2025-10-21 (1.1607)")
    used = FxUsed(base=base, quote=quote, rate=Decimal("1"), as_of=date(2025, 10, 21), source=source)
    assert used.publisher == publisher
