"""POST /api/v1/customs/landed-cost/: the contract of issue 4, as another client would call it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

URL = "/api/v1/customs/landed-cost/"

# The request printed in the issue, unchanged.
EXAMPLE = {
    "origin": "CN", "destination": "GB", "date": "2026-01-15", "incoterm": "DDP", "currency": "GBP",
    "shipping": {"amount": "12.00", "currency": "GBP"}, "insurance": {"amount": "0.00", "currency": "GBP"},
    "lines": [{"hs_code": "6109100010", "description": "cotton T-shirt", "quantity": 10,
               "unit_value": {"amount": "5.00", "currency": "GBP"}, "net_weight_kg": "2.0",
               "origin": "CN", "claim_preference": False}],
}


@pytest.fixture(autouse=True)
def fresh_throttle():
    """The anonymous throttle counts in the cache; each test starts with an empty history."""
    cache.clear()
    yield
    cache.clear()


def post(body, client=None):
    return (client or APIClient()).post(URL, body, format="json")


def a_body(destination="GB", *, origin="CN", lines=None, **top):
    return {"origin": origin, "destination": destination, "date": "2026-01-15", **top,
            "lines": lines or [a_line()]}


def a_line(code="6109100010", amount="5.00", currency="GBP", quantity=1, **extra):
    return {"hs_code": code, "quantity": quantity, "unit_value": {"amount": amount, "currency": currency},
            "net_weight_kg": "0.5", **extra}


def money_values(node, path="$"):
    """Every {"amount", "currency"} object in the answer, with where it is."""
    if isinstance(node, dict):
        if "currency" in node and not isinstance(node.get("amount", {}), dict):
            yield path, node
            return
        for key, value in node.items():
            yield from money_values(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from money_values(value, f"{path}[{index}]")


def m(amount, currency):
    return {"amount": amount, "currency": currency}


def test_the_issue_example_answers_every_key_of_the_contract():
    # when
    response = post(EXAMPLE)

    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert {"currency", "customs_value", "duty", "taxes", "fees", "total_duties_and_taxes", "landed_cost",
            "de_minimis", "lines", "explanation"} <= set(body)
    assert body["currency"] == "GBP"
    # £50 of T-shirts + £12 shipping is under £135: no duty, UK VAT charged at sale on goods + delivery
    assert body["customs_value"] == m("62.00", "GBP")
    assert body["duty"] == m("0.00", "GBP")
    assert body["de_minimis"] == {"duty_applied": True, "tax_applied": False}
    assert [(t["name"], t["rate"], t["base"], t["amount"]) for t in body["taxes"]] == [
        ("VAT", "20", m("62.00", "GBP"), m("12.40", "GBP"))]
    assert body["fees"] == []
    assert body["total_duties_and_taxes"] == m("12.40", "GBP")
    assert body["landed_cost"] == m("74.40", "GBP")
    line = body["lines"][0]
    assert {"hs_code", "measure", "rule", "duty", "source"} <= set(line)
    assert (line["hs_code"], line["rule"], line["duty"]) == ("6109100010", "de_minimis", m("0.00", "GBP"))
    assert "135" in line["reason"] and line["source"]
    assert all(isinstance(sentence, str) and sentence for sentence in body["explanation"])
    assert any("£135" in s or "135" in s for s in body["explanation"])


def test_every_money_value_is_an_amount_string_and_a_currency():
    body = post(a_body("GB", lines=[a_line(quantity=100), a_line("42022100", "30.00", quantity=3)],
                       shipping=m("12.00", "GBP"))).json()
    found = list(money_values(body))
    assert len(found) >= 10
    for where, value in found:
        assert set(value) == {"amount", "currency"}, where
        assert isinstance(value["amount"], str) and value["currency"] == "GBP", where
        assert Decimal(value["amount"]).as_tuple().exponent == -2, where


def test_optional_fields_take_the_documented_defaults():
    # given only what is required: no date, incoterm, currency, shipping, insurance, line origin or claim
    body = {"origin": "VN", "destination": "JP",
            "lines": [{"hs_code": "0902100000", "quantity": 1, "unit_value": {"amount": "100000", "currency": "JPY"},
                       "net_weight_kg": "1"}]}

    # when
    answer = post(body).json()

    # then the answer is in the destination's currency, DDP, at today's tariff, free of transport costs
    assert answer["currency"] == "JPY" and answer["incoterm"] == "DDP"
    assert answer["customs_value"] == m("100000", "JPY")
    assert any(timezone.localdate().isoformat() in s or "DDP" in s for s in answer["explanation"])
    # the line takes the consignment's origin (VN, a CPTPP party) and claims nothing: MFN
    assert answer["lines"][0]["rule"] == "mfn"
    assert "not claimed" in answer["lines"][0]["reason"]


def test_the_line_origin_defaults_to_the_consignment_origin():
    # Chinese-origin T-shirts into the US pay the additional duties on goods of China
    answer = post(a_body("US", lines=[a_line("6109100040", "100.00", "USD")])).json()
    assert "Section 301" in answer["lines"][0]["reason"]
    assert answer["duty"] == m("44.00", "USD")


@pytest.mark.parametrize(("body", "rule", "duty"), [
    # 100 T-shirts at £5 into GB: above £135, UKGT 12%
    (a_body("GB", lines=[a_line(quantity=100)], shipping=m("12.00", "GBP")), "mfn", m("61.44", "GBP")),
    # Vietnamese green tea into Japan, preference claimed and the tea grown in Viet Nam: CPTPP 0%
    (a_body("JP", origin="VN", lines=[a_line("0902100000", "100000", "JPY", origin="VN", claim_preference=True,
                                             origin_declaration={"ex_works_price": "90000",
                                                                 "materials": [{"description": "green tea leaves",
                                                                                "hs_code": "0902.10", "origin": "VN",
                                                                                "value": "60000"}]})]),
     "preference:CPTPP", m("0", "JPY")),
    # the same tea blended from Chinese leaves (chapter 09, 67% of the price): CPTPP's CC and RVC 40% fail, MFN
    (a_body("JP", origin="VN", lines=[a_line("0902100000", "100000", "JPY", origin="VN", claim_preference=True,
                                             origin_declaration={"ex_works_price": "90000",
                                                                 "materials": [{"description": "green tea leaves",
                                                                                "hs_code": "090210", "origin": "CN",
                                                                                "value": "60000"}]})]),
     "mfn", m("17000", "JPY")),
    # claimed with no declaration at all: nothing shows the rule is met, MFN
    (a_body("JP", origin="VN", lines=[a_line("0902100000", "100000", "JPY", origin="VN", claim_preference=True)]),
     "mfn", m("17000", "JPY")),
    # a parcel under the UK's £135
    (a_body("GB"), "de_minimis", m("0.00", "GBP")),
])
def test_rule_names_how_each_line_was_charged(body, rule, duty):
    line = post(body).json()["lines"][0]
    assert (line["rule"], line["duty"]) == (rule, duty)


def test_an_entry_price_line_is_left_to_manual_assessment_with_its_reason():
    # Moroccan tomatoes into the Netherlands: the EU charges them under the entry price system
    body = a_body("NL", origin="MA", lines=[a_line("07020000", "500.00", "EUR", quantity=1)])

    answer = post(body).json()

    line = answer["lines"][0]
    assert line["rule"] == "manual_assessment"
    assert "entry price" in line["reason"]
    assert line["duty"] == m("0.00", "EUR")
    assert answer["needs_manual_assessment"] is True


def test_a_missing_supplementary_unit_is_manual_then_computed_when_given():
    wine = a_line("22042109", "300.00", origin="AU")
    assert "needs hl" in post(a_body("GB", origin="AU", lines=[wine])).json()["lines"][0]["reason"]
    with_volume = {**wine, "supplementary": {"l": "9"}}
    answer = post(a_body("GB", origin="AU", lines=[with_volume])).json()
    assert answer["lines"][0]["rule"] == "mfn" and answer["duty"] == m("2.34", "GBP")  # 0.09 hl x £26.00


@pytest.mark.parametrize(("change", "code", "field"), [
    ({"lines": [a_line("999999")]}, "unknown_hs_code", "lines[0].hs_code"),
    ({"lines": [a_line("6109")]}, "unknown_hs_code", "lines[0].hs_code"),
    ({"lines": [a_line("61A910")]}, "unknown_hs_code", "lines[0].hs_code"),
    ({"lines": [a_line(), a_line("000000")]}, "unknown_hs_code", "lines[1].hs_code"),
    ({"destination": "ZZ"}, "unsupported_destination", "destination"),
    ({"destination": "EU"}, "unsupported_destination", "destination"),
    ({"destination": "G1"}, "invalid", "destination"),
    ({"destination": "GBR"}, "invalid", "destination"),
    ({"lines": [a_line(amount="-1.00")]}, "invalid_amount", "lines[0].unit_value"),
    ({"lines": [a_line(amount="1.001")]}, "invalid_amount", "lines[0].unit_value"),
    ({"lines": [a_line(amount="five")]}, "invalid_amount", "lines[0].unit_value"),
    ({"lines": [{**a_line(), "unit_value": {"amount": 5.0, "currency": "GBP"}}]}, "invalid_amount",
     "lines[0].unit_value"),
    ({"lines": [a_line(quantity=0)]}, "invalid_amount", "lines[0].quantity"),
    ({"lines": [{**a_line(), "net_weight_kg": "-2"}]}, "invalid_amount", "lines[0].net_weight_kg"),
    ({"shipping": m("-5.00", "GBP")}, "invalid_amount", "shipping"),
    ({"insurance": m("0.001", "GBP")}, "invalid_amount", "insurance"),
    ({"currency": "XXX"}, "currency_mismatch", "currency"),
    ({"lines": [a_line(currency="XXX")]}, "currency_mismatch", "lines[0].unit_value"),
    ({"shipping": m("5.00", "QQQ")}, "currency_mismatch", "shipping"),
    ({"date": "2026-13-01"}, "invalid_date", "date"),
    ({"date": "15/01/2026"}, "invalid_date", "date"),
    ({"date": "2019-06-01"}, "invalid_date", "date"),  # before the UK Global Tariff held
    ({"date": "2099-01-01"}, "invalid_date", "date"),  # tariffs change by law: no quote years ahead
    ({"origin": "GB"}, "domestic_shipment", "origin"),  # a domestic sale has no import duty or VAT
])
def test_bad_input_answers_400_with_code_and_field(change, code, field):
    # when
    response = post({**a_body("GB"), **change})

    # then
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert (error["code"], error["field"]) == (code, field)
    assert error["message"]


@pytest.mark.parametrize(("body", "field"), [
    ({"destination": "GB", "lines": [a_line()]}, "origin"),
    ({"origin": "CN", "destination": "GB"}, "lines"),
    ({"origin": "CN", "destination": "GB", "lines": []}, "lines"),
    ({"origin": "CN", "destination": "GB", "lines": [{"quantity": 1}]}, "lines[0].hs_code"),
    ({**a_body("GB"), "incoterm": "EXW"}, "incoterm"),
    ({**a_body("GB"), "shipping": "12.00"}, "shipping"),
    ({**a_body("GB"), "lines": [{**a_line(), "unit_value": "5.00"}]}, "lines[0].unit_value"),
])
def test_a_malformed_request_names_the_field(body, field):
    response = post(body)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == field


FIVE_LINES = a_body("GB", lines=[a_line(code, "25.00", quantity=4) for code in
                                 ("6109100010", "61102091", "42022100", "95030070", "39241000")],
                    shipping=m("12.00", "GBP"), insurance=m("1.50", "GBP"))


def test_the_first_quote_in_a_process_loads_the_tariff_book_and_rates_in_a_few_queries(
        django_assert_max_num_queries):
    from customs.selectors import tariff_book
    from ewtp.fx import fx_table

    # given a process that has not read the tariff book or the rates yet
    tariff_book.cache_clear()
    fx_table.cache_clear()

    # when it quotes five lines, then it reads the measures, the reference documents, the HS codes and the
    # rates once each: not a query per line
    with django_assert_max_num_queries(4):
        assert post(FIVE_LINES).status_code == 200


def test_a_quote_reads_nothing_from_the_database_once_the_tariff_book_and_rates_are_cached(
        django_assert_num_queries):
    # given a first quote, which loads the tariff book and the FX rates into this process
    assert post(FIVE_LINES).status_code == 200

    # when an anonymous client quotes five lines again, then no query runs: not for the book, the rates,
    # the session, the user or the throttle
    with django_assert_num_queries(0):
        answer = post(FIVE_LINES)
    assert answer.status_code == 200 and len(answer.json()["lines"]) == 5


def test_country_and_currency_codes_are_read_in_any_case():
    lower = post({**EXAMPLE, "origin": "cn", "destination": "gb", "currency": "gbp"})
    assert lower.status_code == 200
    assert lower.json()["landed_cost"] == post(EXAMPLE).json()["landed_cost"]


def test_anonymous_callers_are_served_and_throttled(monkeypatch):
    from rest_framework.throttling import AnonRateThrottle

    # given a low anonymous rate
    monkeypatch.setattr(AnonRateThrottle, "rate", "3/minute", raising=False)

    # when an anonymous client quotes four times in a row
    statuses = [post(EXAMPLE).status_code for _ in range(4)]

    # then the first three are answered and the fourth is told to slow down, in the error shape
    assert statuses == [200, 200, 200, 429]
    error = post(EXAMPLE).json()["error"]
    assert error["code"] == "throttled" and error["message"]


def test_a_dated_quote_uses_the_rules_of_that_date():
    # before the UK's £135 regime (1 Jan 2021) there was no GB tariff in the book; IOSS (1 Jul 2021) vs
    # the old EU VAT relief shows the date matters: a EUR 20 parcel to Germany paid no VAT in June 2021
    body = a_body("DE", lines=[a_line(amount="20.00", currency="EUR")], date="2021-06-30")
    answer = post(body).json()
    assert answer["de_minimis"] == {"duty_applied": True, "tax_applied": True}
    later = post({**body, "date": date(2026, 1, 15).isoformat()}).json()
    assert later["de_minimis"] == {"duty_applied": True, "tax_applied": False}
    assert later["taxes"][0]["collected"] == "at_sale"


@pytest.mark.parametrize(("declaration", "field", "code"), [
    ({"ex_works_price": "-1"}, "lines[0].origin_declaration.ex_works_price", "invalid_amount"),
    ({"ex_works_price": "100", "materials": [{"hs_code": "999999", "origin": "CN", "value": "1"}]},
     "lines[0].origin_declaration.materials[0].hs_code", "unknown_hs_code"),
    ({"ex_works_price": "100", "materials": [{"hs_code": "0902", "origin": "XX", "value": "1"}]},
     "lines[0].origin_declaration.materials[0].origin", "invalid_country"),
    ({"ex_works_price": "100", "materials": [{"hs_code": "0902", "origin": "CN", "value": "-3"}]},
     "lines[0].origin_declaration.materials[0].value", "invalid_amount"),
    ({"ex_works_price": "100", "materials": [{"hs_code": "0902", "origin": "CN", "value": "60"},
                                             {"hs_code": "4819", "origin": "VN", "value": "41"}]},
     "lines[0].origin_declaration.materials", "materials_over_price"),
    ({"ex_works_price": "100", "wholly_obtained": True, "materials": [{"hs_code": "0902", "origin": "CN",
                                                                        "value": "1"}]},
     "lines[0].origin_declaration.wholly_obtained", "not_wholly_obtained"),
])
def test_a_bad_origin_declaration_is_refused_at_its_field(declaration, field, code):
    body = a_body("JP", origin="VN", lines=[a_line("0902100000", "100000", "JPY", origin="VN", claim_preference=True,
                                                   origin_declaration=declaration)])
    answer = post(body)
    assert answer.status_code == 400
    assert (answer.json()["error"]["field"], answer.json()["error"]["code"]) == (field, code)
