"""The trade vocabulary's JSON codec: whatever is written reads back the same, through real JSON;
what logistics stored before the codec reads as the same goods and parties; bad payloads are
refused at the field."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ewtp.money import Money
from ewtp.trade import VERSION, Commodity, Consignment, Parcel, Party, PayloadError

text = st.text(max_size=40)
countries = st.sampled_from(["CN", "DE", "GB", "MY", "US", "JP"])
currencies = st.sampled_from(["EUR", "CNY", "JPY", "USD", "GBP"])
amounts = st.decimals(min_value=Decimal(0), max_value=Decimal("1E9"), allow_nan=False, allow_infinity=False,
                      places=4)
moneys = st.builds(Money, amounts, currencies)
kilos = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(1000), allow_nan=False, places=3)
sides = st.none() | st.decimals(min_value=Decimal("0.1"), max_value=Decimal(300), allow_nan=False, places=1)

parties = st.builds(Party, name=text.filter(bool), city=text, country=countries, company=text,
                    lines=st.lists(text, max_size=3).map(tuple), postcode=text, email=text, phone=text,
                    tax_id=text, eori=text)
commodities = st.builds(Commodity, description=text, hs_code=st.from_regex(r"\d{4}(\.\d{2}){0,3}", fullmatch=True),
                        unit_value=moneys, quantity=st.integers(1, 10_000), origin_country=countries | st.just(""),
                        net_weight_kg=st.none() | kilos, description_zh=text, claim_preference=st.booleans())
parcels = st.builds(Parcel, kilos, sides, sides, sides)
consignments = st.builds(Consignment, shipper=parties, consignee=parties,
                         commodities=st.lists(commodities, max_size=4).map(tuple), currency=currencies,
                         incoterm=st.sampled_from(["DDP", "DAP"]), parcels=st.lists(parcels, max_size=3).map(tuple),
                         freight=st.none() | moneys, paid_duties=st.none() | moneys, tracking_number=text,
                         service_code=text)


def through_json(data: dict) -> dict:
    return json.loads(json.dumps(data))  # what a JSONField hands back


@settings(deadline=None)  # a shared machine: time is not what these test
@given(parties | commodities | parcels)
def test_a_party_commodity_or_parcel_reads_back_as_written(value):
    assert type(value).from_json(through_json(value.to_json())) == value


@settings(deadline=None)  # a shared machine: time is not what these test
@given(consignments)
def test_a_consignment_reads_back_as_written_with_its_version(consignment):
    data = through_json(consignment.to_json())
    assert data["version"] == VERSION
    assert Consignment.from_json(data) == consignment


@settings(deadline=None)  # a shared machine: time is not what these test
@given(consignments)
def test_a_declaration_written_in_version_0_reads_back_as_the_same_consignment(consignment):
    # given what a version 0 declaration holds: one currency, no parcels, no Chinese descriptions
    consignment = replace(consignment, parcels=(), commodities=tuple(
        replace(c, description_zh="", unit_value=Money(c.unit_value.amount, consignment.currency))
        for c in consignment.commodities))
    # when
    data = through_json(consignment.to_json(version=0))
    # then
    assert "version" not in data and data["consignor"] == consignment.shipper.to_json()
    assert Consignment.from_json(data) == consignment


def test_a_version_0_declaration_refuses_goods_in_another_currency():
    party = Party(name="A", city="B", country="CN")
    tea = Commodity(description="Tea", hs_code="0902", unit_value=Money(Decimal(1), "USD"))
    with pytest.raises(ValueError, match="USD"):
        Consignment(shipper=party, consignee=party, commodities=(tea,), currency="EUR",
                    incoterm="DDP").to_json(version=0)


@settings(deadline=None)  # a shared machine: time is not what these test
@given(moneys)
def test_money_is_an_amount_as_text_and_a_currency_unrounded(money):
    data = Commodity(description="", hs_code="0902", unit_value=money).to_json()["unit_value"]
    assert set(data) == {"amount", "currency"} and isinstance(data["amount"], str)
    assert "E" not in data["amount"] and Decimal(data["amount"]) == money.amount


def test_a_seller_keeps_the_shape_and_key_order_shipments_stored():
    stored = {"name": "Li Wei", "company": "Hangzhou West Lake Tea", "email": "tea@hangzhou-tea.example",
              "lines": ["18 Longjing Road"], "city": "Hangzhou", "postcode": "310000", "country": "CN"}
    assert list(Party.from_json(stored).to_json().items()) == list(stored.items())


def test_empty_contacts_are_left_out_and_the_address_keeps_its_shape():
    # given a consumer with no company, tax id or phone
    party = Party(name="Anna Becker", lines=("Torstraße 45",), city="Berlin", postcode="10119", country="DE")
    # then the stored shape is the one shipments have always held
    assert party.to_json() == {"name": "Anna Becker", "company": "", "lines": ["Torstraße 45"], "city": "Berlin",
                               "postcode": "10119", "country": "DE"}
    assert party.town_line() == "10119 Berlin" and party.street() == "Torstraße 45"


def test_a_goods_line_stored_by_a_shipment_reads_as_a_commodity():
    # given a line as marketplace stores it on a shipment: amount as text, currency beside it
    stored = {"description": "Longjing green tea 250 g", "hs_code": "090210", "origin": "CN", "quantity": 2,
              "unit_value": "168.00", "currency": "CNY", "net_weight_kg": "0.700", "claim_preference": True}
    commodity = Commodity.from_json(stored)
    assert commodity == Commodity(description="Longjing green tea 250 g", hs_code="090210", origin_country="CN",
                                  quantity=2, unit_value=Money(Decimal("168.00"), "CNY"),
                                  net_weight_kg=Decimal("0.700"), claim_preference=True)
    assert commodity.total_value == Money(Decimal("336.00"), "CNY")


def test_a_declaration_stored_before_the_codec_reads_as_version_0():
    # given a declaration as logistics stored it (no version; consignor, lines, shipping)
    from tests.customs.conftest import make_declaration

    stored = make_declaration(shipping={"amount": "40.00", "currency": "CNY"}, service_code="cnpost_epacket")
    # when
    consignment = Consignment.from_json(stored)
    # then
    assert consignment.shipper.company == "Hangzhou West Lake Tea Co., Ltd."
    assert consignment.shipper.email == "seller@example.com"
    assert consignment.consignee.lines == ("Torstraße 45",)
    assert (consignment.origin_country, consignment.destination_country) == ("CN", "DE")
    assert consignment.commodities[0].unit_value == Money(Decimal("168.00"), "CNY")
    assert consignment.freight == Money(Decimal("40.00"), "CNY")
    assert consignment.tracking_number == "SIM123" and consignment.incoterm == "DDP"
    assert Consignment.from_json(through_json(consignment.to_json())) == consignment


@pytest.mark.parametrize(("payload", "field"), [
    ({"version": 2}, "consignment.version"),
    ({"version": 1, "currency": "EUR", "incoterm": "DDP", "shipper": {"name": "A", "city": "B"},
      "consignee": {"name": "C", "city": "D", "country": "DE"}}, "consignment.shipper.country"),
    ({"version": 1, "currency": "EUR", "incoterm": "DDP", "shipper": {"city": "B", "country": "CN"},
      "consignee": {"name": "C", "city": "D", "country": "DE"}}, "consignment.shipper.name"),
    ({"version": 1, "currency": "EUR", "incoterm": "DDP", "shipper": {"name": "A", "city": "B", "country": "CN"},
      "consignee": {"name": "C", "city": "D", "country": "DE"},
      "commodities": [{"hs_code": "0902", "unit_value": {"amount": 1.5, "currency": "EUR"}}]},
     "consignment.commodities[0].unit_value.amount"),
    ({"version": 1, "currency": "EUR", "incoterm": "DDP", "shipper": {"name": "A", "city": "B", "country": "CN"},
      "consignee": {"name": "C", "city": "D", "country": "DE"},
      "commodities": [{"hs_code": "0902", "quantity": "two", "unit_value": {"amount": "1", "currency": "EUR"}}]},
     "consignment.commodities[0].quantity"),
    ({"version": 1, "currency": "EUR", "incoterm": "DDP", "shipper": {"name": "A", "city": "B", "country": "CN"},
      "consignee": {"name": "C", "city": "D", "country": "DE"},
      "commodities": [{"hs_code": "0902", "unit_value": {"amount": "1", "currency": "euro"}}]},
     "consignment.commodities[0].unit_value.currency"),
    ({"version": 1, "currency": "EUR", "incoterm": "DDP", "shipper": {"name": "A", "city": "B", "country": "CN"},
      "consignee": {"name": "C", "city": "D", "country": "DE"}, "parcels": [{"weight_kg": "NaN"}]},
     "consignment.parcels[0].weight_kg"),
    ([], "consignment"),
])
def test_a_bad_payload_is_refused_at_the_field(payload, field):
    with pytest.raises(PayloadError) as error:
        Consignment.from_json(payload)
    assert error.value.field == field
