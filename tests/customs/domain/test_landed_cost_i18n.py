"""The explanation in the reader's language: every template the engine records has a Chinese translation,
a quote read under zh-hans explains itself in Chinese with the same figures, and English stays as it was."""

from __future__ import annotations

import pickle
import string
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from customs.domain.landed_cost import QuoteLine, QuoteRequest, quote_landed_cost
from customs.domain.landed_cost.catalog import TEMPLATES, templates_in_source
from ewtp.money import Money

ON = date(2026, 1, 15)


def a_request(destination, *, value="5.00", currency="GBP", quantity=1, origin="CN", shipping="0"):
    line = QuoteLine(hs_code="6109100010", description="goods", quantity=quantity,
                     unit_value=Money(Decimal(value), currency), net_weight_kg=Decimal("0.5"), origin=origin)
    return QuoteRequest(origin=origin, destination=destination, on=ON, incoterm="DDP", currency=currency,
                        shipping=Money(Decimal(shipping), currency), insurance=Money(Decimal("0"), currency),
                        lines=[line])


def placeholders(text: str) -> list[tuple[str, str]]:
    return sorted((name, spec) for _, name, spec, _ in string.Formatter().parse(text) if name is not None)


def test_every_template_the_engine_records_is_in_the_catalog_with_a_chinese_translation():
    # given the templates and phrases the engine's source records
    recorded = templates_in_source()

    # then the catalog (what makemessages reads) lists each, and each reads in Chinese with the same slots
    assert recorded <= set(TEMPLATES), sorted(recorded - set(TEMPLATES))
    with translation.override("zh-hans"):
        for template in TEMPLATES:
            chinese = translation.gettext(template)
            assert chinese != template, template
            assert placeholders(chinese) == placeholders(template), template


def test_a_quote_explains_itself_in_chinese_with_the_same_figures(book, fx):
    # given a UK quote above £135: duty and import VAT
    quote = quote_landed_cost(book, fx, a_request("GB", quantity=100, shipping="12.00"))

    # when it is read in English, then in Chinese, then in English again
    english = list(quote.explanation)
    with translation.override("zh-hans"):
        chinese = list(quote.explanation)
    again = list(quote.explanation)

    # then the Chinese sentences name customs value, duty and MFN in Chinese, with the same amounts
    assert again == english
    assert len(chinese) == len(english)
    text = "\n".join(chinese)
    assert "完税价格 512.00 GBP" in text
    assert "最惠国" in text and "关税" in text and "汇率" not in english[0]
    assert "Customs value" not in text and "Line duty" not in text
    for amount in ("512.00 GBP", "61.44 GBP", "114.69 GBP"):
        assert amount in text and amount in "\n".join(english)


def test_de_minimis_sentences_and_their_words_read_in_chinese(book, fx):
    # given a US quote under the duty de minimis (its threshold sentence is prepared once per date)
    quote = quote_landed_cost(book, fx, a_request("AU", value="100.00", currency="AUD"))

    with translation.override("zh-hans"):
        chinese = "\n".join(quote.explanation)

    # then the sentence and the word it is given for the kind of threshold are both Chinese
    assert "低值豁免" in chinese
    assert "de minimis" not in chinese


def test_a_cached_quote_read_in_chinese_after_english(book, fx):
    # given a quote read in English, pickled as the page cache keeps it
    quote = quote_landed_cost(book, fx, a_request("GB", quantity=100, shipping="12.00"))
    english = list(quote.explanation)
    kept = pickle.loads(pickle.dumps(quote))

    # then the kept quote reads in Chinese (amounts already rendered stay right) and in English unchanged
    with translation.override("zh-hans"):
        assert "完税价格 512.00 GBP" in "\n".join(kept.explanation)
    assert kept.explanation == english


@pytest.mark.parametrize("destination, expected", [
    ("XX", "未配置 'XX' 的海关制度"),
    ("CN", "即为目的地本身"),
])
def test_engine_errors_read_in_chinese(book, fx, destination, expected):
    from customs.domain.landed_cost import LandedCostError

    with pytest.raises(LandedCostError) as raised:
        quote_landed_cost(book, fx, a_request(destination, currency="CNY" if destination == "CN" else "GBP"))
    with translation.override("zh-hans"):
        assert expected in str(raised.value.message)
    assert "海关" not in str(raised.value.message) and "目的地" not in str(raised.value.message)


def test_a_stored_quote_keeps_its_explanation_in_english(book, fx):
    from marketplace.domain.quote_snapshot import _customs_json

    quote = quote_landed_cost(book, fx, a_request("GB", quantity=100, shipping="12.00"))
    with translation.override("zh-hans"):
        stored = _customs_json(quote)["explanation"]
        shown = list(quote.explanation)
    assert stored == list(quote.explanation) and stored != shown
