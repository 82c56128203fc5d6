"""The public landed-cost calculator page, as anyone (not logged in) uses it."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

URL = "/customs/landed-cost/"
GOOD = {"origin": "CN", "destination": "GB", "hs_code": "6109100010", "quantity": "20", "value": "12.50",
        "currency": "GBP", "shipping": "15.00", "weight": "0.2", "incoterm": "DDP"}


def page(**params):
    response = Client().get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def field_errors(html: str, field: str) -> str:
    """The error list Django renders at one field (id="id_<field>_error")."""
    match = re.search(rf'<ul class="field__errors" id="id_{field}_error">(.*?)</ul>', html, re.S)
    return text(match.group(1)).strip() if match else ""


def test_a_first_visit_shows_the_form_and_how_it_works():
    html = page()
    assert 'name="hs_code"' in html and 'name="claim_preference"' in html and 'name="incoterm"' in html
    assert "How it works" in html
    assert 'data-testid="quote"' not in html


def test_a_quote_shows_the_landed_cost_breakdown_and_the_explanation():
    # 20 T-shirts at £12.50 + £15 shipping: customs value 265.00, duty 12% = 31.80, VAT 20% x 296.80 = 59.36
    html = page(**GOOD)
    landed = re.search(r'data-testid="landed-cost">(.*?)</td>', html, re.S).group(1)
    assert "356.16" in text(landed) and "GBP" in landed
    assert "31.80" in text(html) and "59.36" in text(html)
    assert "MFN (standard) duty rate" in html and "12.0%" in html
    explanation = re.search(r'data-testid="explanation">(.*?)</ol>', html, re.S).group(1)
    assert "VAT Act 1994 s.21(2)" in explanation and "global-uk-tariff.csv" in explanation


def test_the_preference_and_incoterm_choices_reach_the_quote():
    tea = {**GOOD, "origin": "VN", "destination": "JP", "hs_code": "0902100000", "currency": "JPY",
           "value": "100000", "quantity": "1", "shipping": "0", "claim_preference": "on", "incoterm": "DAP"}
    html = page(**{**tea, "wholly_obtained": "on"})
    assert "Preference: CPTPP" in html
    assert "duty and tax paid on delivery (DAP)" in html
    # claimed for goods not shown to meet a rule of origin: MFN, with the reason
    html = page(**tea)
    assert "Preference: CPTPP" not in html and "rule of origin" in html


def test_entry_price_goods_say_they_need_manual_assessment():
    html = page(**{**GOOD, "origin": "MA", "destination": "NL", "hs_code": "07020000", "currency": "EUR",
                   "value": "500.00", "quantity": "1"})
    assert "Needs manual assessment" in html
    assert "entry price" in html


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"value": "abc"}, "value", "Enter a number."),
    ({"value": "-5"}, "value", "greater than or equal to 0"),
    ({"quantity": "0"}, "quantity", "greater than or equal to 1"),
    ({"hs_code": "999999"}, "hs_code", "not a known HS code"),
    ({"hs_code": ""}, "hs_code", "This field is required."),
    ({"destination": "ZZ"}, "destination", "Select a valid choice"),
    ({"currency": "JPY", "value": "12.50"}, "value", "more decimals than JPY allows"),
])
def test_bad_input_shows_the_message_at_the_field(change, field, message):
    html = page(**{**GOOD, **change})
    assert message in field_errors(html, field)
    assert 'aria-invalid="true"' in html
    assert 'data-testid="quote"' not in html


def test_searching_codes_in_english_and_chinese_offers_links_that_fill_the_code():
    html = page(**{**GOOD, "hs_q": "green tea", "find": "1"})
    links = re.findall(r'<a href="\?([^"]+)"><span class="chip chip--country">(\d+)</span>', html)
    assert [code for _, code in links] == ["090210", "090220"]  # green tea: in packets of 3 kg or less, other
    assert all(f"hs_code={code}" in query and "destination=GB" in query for query, code in links)
    assert 'data-testid="quote"' not in html  # searching does not quote yet
    chinese = page(**{**GOOD, "hs_q": "丝绸", "find": "1"})
    assert ">5007</span>" in chinese and "丝或绢丝机织物" in chinese


def test_a_heading_in_the_results_lists_the_codes_under_it_and_a_subheading_quotes():
    html = page(**{**GOOD, "hs_q": "智能手机", "find": "1"})
    links = dict((code, query) for query, code in
                 re.findall(r'<a href="\?([^"]+)"><span class="chip chip--country">(\d+)</span>', html))
    assert list(links)[0] == "851713"  # the name that is the words comes first
    assert "hs_code=851713" in links["851713"]
    assert "hs_q=8517" in links["8517"] and "find=1" in links["8517"]  # a heading cannot be quoted: browse it
    quoted = Client().get(URL + "?" + links["851713"].replace("&amp;", "&")).content.decode()
    assert 'data-testid="landed-cost"' in quoted


def test_a_search_with_no_match_says_so():
    assert "No HS code matches" in page(**{**GOOD, "hs_q": "zzzzqqq", "find": "1"})
