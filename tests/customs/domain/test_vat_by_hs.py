"""Import VAT/GST by HS code: reduced and zero rates from TEDB (EU), HMRC notices (GB), the NTA (JP)."""

from datetime import date
from decimal import Decimal

import pytest

from customs.domain.landed_cost import QuoteLine, QuoteRequest, quote_landed_cost
from customs.domain.tariff_book import DestinationRegime, RateChange, ReducedRate
from customs.reference import read_eu_reduced_rates
from ewtp.money import Money

ON = date(2026, 1, 15)
TEA = "0902100000"  # green tea (not fermented) in packings of 3 kg or less: the demo seller's product


@pytest.mark.parametrize(("destination", "rate"), [
    ("GB", "0"), ("DE", "7"), ("FR", "5.5"), ("NL", "9"), ("IT", "10"), ("ES", "10"), ("BE", "6"),
    ("LU", "3"), ("MT", "0"), ("RO", "11"), ("JP", "8"), ("CN", "9"), ("CA", "0"), ("AU", "0"),
])
def test_tea_takes_the_destinations_reduced_or_zero_rate(book, destination, rate):
    # when the buyer's country taxes green tea
    found = book.destination(destination).tax_rate(TEA, ON)
    # then it is the rate its law sets for tea, with a source
    assert found[0] == Decimal(rate)
    assert found[1] != "standard rate" and found[2]


@pytest.mark.parametrize(("destination", "rate"), [("AT", "20"), ("PL", "23"), ("DK", "25"), ("SG", "9")])
def test_tea_is_standard_rated_where_the_law_lists_no_reduced_rate_for_it(book, destination, rate):
    # Austria's and Poland's reduced-rate lists in TEDB name spices (0904-0910), not tea; Denmark and
    # Singapore have no reduced rate
    assert book.destination(destination).tax_rate(TEA, ON)[:2] == (Decimal(rate), "standard rate")


@pytest.mark.parametrize(("destination", "rate"), [
    ("GB", "0"), ("DE", "7"), ("FR", "5.5"), ("NL", "9"), ("IT", "4"), ("ES", "4"), ("IE", "0"), ("AT", "10"),
    ("BE", "6"), ("BG", "9"), ("CZ", "0"), ("FI", "14"), ("GR", "6"), ("HR", "5"), ("HU", "5"), ("LU", "3"),
    ("PT", "6"), ("RO", "11"), ("SE", "6"), ("SI", "5"), ("SK", "5"), ("CN", "9"),
])
def test_printed_books_take_the_book_rate(book, destination, rate):
    assert book.destination(destination).tax_rate("4901990000", ON)[0] == Decimal(rate)


def test_french_books_keep_the_book_rate_where_tedb_also_lists_press_publications_under_4901(book):
    rate, label, source = book.destination("FR").tax_rate("4901990000", ON)
    assert rate == Decimal("5.5")
    assert "whose headings hold" in label and "2.1% NEWSPAPERS" in label
    assert "LOAN_LIBRARIES" in source


def test_undecidable_tedb_conflicts_keep_the_standard_rate_and_say_why(book):
    # Polish newspapers and periodicals: TEDB gives 5% and 8% for CN 4902, by kind of publication
    rate, label, source = book.destination("PL").tax_rate("4902000000", ON)
    assert rate == Decimal("23")
    assert label.startswith("standard rate: TEDB lists") and "cannot decide" in label
    assert "Taxes in Europe Database" in source and "standard rate:" in source


def test_gb_chocolate_crisps_and_alcohol_stay_standard_with_the_excepted_item(book):
    gb = book.destination("GB")
    for code, words in (("1806310000", "excepted item 2"), ("2005202000", "excepted item 5"),
                        ("2208601100", "excepted item 3"), ("2105001000", "excepted item 1")):
        rate, label, source = gb.tax_rate(code, ON)
        assert rate == Decimal("20") and words in label and "Notice 701/14" in source
    # drinking chocolate (cocoa powder with sugar) overrides the exception
    assert gb.tax_rate("1806101500", ON)[0] == 0


def test_gb_babies_garments_zero_rated_other_clothing_standard(book):
    gb = book.destination("GB")
    assert gb.tax_rate("6111200000", ON)[0] == 0
    assert gb.tax_rate("6109100010", ON)[:2] == (Decimal("20"), "standard rate")


@pytest.mark.parametrize(("code", "rate"), [
    ("090210", "8"),  # green tea: food
    ("220600", "10"),  # sake: liquor under the Liquor Tax Act
    ("220300", "10"),  # beer
    ("220210", "8"),  # soft drinks
    ("010221", "10"),  # live cattle are not food
    ("060310", "10"),  # cut flowers are not food
    ("120991", "10"),  # vegetable seeds for sowing are not food
    ("100111", "10"),  # durum wheat seed
    ("100119", "8"),  # durum wheat, other
    ("230910", "10"),  # pet food is not food for people
])
def test_japan_reduced_rate_follows_the_food_definition(book, code, rate):
    assert book.destination("JP").tax_rate(code, ON)[0] == Decimal(rate)


def test_japan_reduced_rate_starts_on_1_october_2019(book):
    jp = book.destination("JP")
    assert jp.tax_rate("090210", date(2019, 9, 30))[:2] == (Decimal("8"), "standard rate")
    assert jp.tax_rate("220600", date(2019, 10, 1))[0] == 10


def test_tedb_rates_are_dated_by_their_situation(book):
    romania = book.destination("RO")
    # Romania raised its reduced rate from 9% to 11% on 1 Aug 2025 (TEDB situation of 2025-08-01)
    assert romania.tax_rate(TEA, date(2025, 7, 15))[0] == 9
    assert romania.tax_rate(TEA, date(2025, 8, 1))[0] == 11
    rows = [r for r in read_eu_reduced_rates()["RO"] if r["hs_prefix"] == "09"]
    assert rows and rows[-1]["valid_to"] == "2025-07-31"


def test_a_quote_to_germany_shows_the_reduced_vat_line_with_label_and_source(book, fx):
    # given 10 x EUR 8 of green tea from China to Berlin
    line = QuoteLine(hs_code=TEA, description="Longjing green tea 250 g", quantity=10,
                     unit_value=Money(Decimal("8.00"), "EUR"), net_weight_kg=Decimal("0.25"), origin="CN")
    request = QuoteRequest(origin="CN", destination="DE", on=ON, incoterm="DDP", currency="EUR",
                           shipping=Money(Decimal("20.00"), "EUR"), insurance=Money(Decimal("0"), "EUR"),
                           lines=(line,))
    # when quoted
    quote = quote_landed_cost(book, fx, request)
    # then import VAT is charged at 7%, named for foodstuffs, with TEDB as its source
    [tax] = quote.taxes
    assert tax.rate == 7
    assert tax.name == "VAT (reduced rate 7%: foodstuffs, TEDB FOODSTUFFS, conditions in source)"
    assert "Taxes in Europe Database" in tax.source and "DE FOODSTUFFS" in tax.source
    assert tax.amount.amount == (tax.base.amount * Decimal("0.07")).quantize(Decimal("0.01"))
    assert "VAT (reduced rate 7%: foodstuffs" in " ".join(quote.explanation)


def test_regimes_round_trip_through_json_with_dated_and_standard_keeping_rows(book):
    for code in ("DE", "FR", "GB", "JP", "PL"):
        regime = book.destination(code)
        again = DestinationRegime.from_json(regime.as_json())
        assert again == regime
        assert again.tax_rate(TEA, ON) == regime.tax_rate(TEA, ON)
        assert again.tax_rate("4902000000", ON) == regime.tax_rate("4902000000", ON)


class CountingIndex(dict):
    probes = 0

    def get(self, key, default=None):
        CountingIndex.probes += 1
        return super().get(key, default)


def test_tax_rate_probes_the_prefix_index_not_every_reduced_rate():
    # given a regime with 5,000 reduced-rate prefixes
    rows = tuple(ReducedRate(f"{n:08d}", Decimal("5"), "reduced", "test") for n in range(5000))
    regime = DestinationRegime(
        code="XX", name="Test", territory="XX", currency="EUR", tax_name="VAT",
        standard_rates=(RateChange(Decimal("20"), date(2000, 1, 1), "test"),), reduced_rates=rows, thresholds=(),
        valuation_basis="CIF", vat_on_duty_inclusive=True, tax_base_adds_transport=False, fees=(),
        special_regimes=(), source="test", as_of=date(2026, 1, 1))
    counting = CountingIndex(regime._reduced_index)
    object.__setattr__(regime, "_reduced_index", counting)
    # when 100 codes are looked up
    for n in range(100):
        assert regime.tax_rate(f"{n * 37:08d}00", ON)[0] == 5
    # then each costs one dict probe per prefix length held (here one), not one test per prefix
    assert CountingIndex.probes == 100
