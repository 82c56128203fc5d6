"""Invariants of the landed-cost engine, checked with hypothesis on the real tariff book."""

from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customs.domain.landed_cost import QuoteLine, QuoteRequest, quote_landed_cost
from customs.domain.origin import OriginDeclaration
from ewtp.money import Money

# goods whose origin is not in question: wholly obtained in the origin country
WHOLLY_OBTAINED = OriginDeclaration(ex_works_price=Decimal(1), currency="EUR", wholly_obtained=True)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
ON = date(2026, 1, 15)

cents = st.integers(min_value=0, max_value=5_000_000).map(lambda n: Decimal(n).scaleb(-2))
cases = st.sampled_from([
    # destination, currency, code, origin
    ("GB", "GBP", "6109100010", "CN"), ("GB", "GBP", "22042109", "AU"), ("GB", "GBP", "18069011", "CH"),
    ("DE", "EUR", "6109100010", "CN"), ("IE", "EUR", "49019900", "US"), ("FR", "EUR", "07020000", "MA"),
    ("US", "USD", "6109100040", "CN"), ("US", "USD", "61091000", "KR"), ("AU", "AUD", "61091000", "CN"),
    ("JP", "JPY", "0902100000", "VN"), ("CA", "CAD", "95030010", "JP"), ("SG", "SGD", "61091000", "CN"),
    ("CN", "CNY", "0902301000", "MY"), ("TH", "THB", "61091000", "CN"), ("KR", "KRW", "61091000", "CN"),
])


def request_for(destination, currency, code, origin, value, shipping=Decimal(0), claim=False, on=ON, quantity=1):
    if currency in ("JPY", "KRW"):
        value, shipping = value.quantize(Decimal(1)), shipping.quantize(Decimal(1))
    line = QuoteLine(hs_code=code, description="item", quantity=quantity, unit_value=Money(value, currency),
                     net_weight_kg=Decimal("1.5"), origin=origin, claim_preference=claim,
                     origin_declaration=WHOLLY_OBTAINED if claim else None)
    return QuoteRequest(origin=origin, destination=destination, on=on, incoterm="DDP", currency=currency,
                        shipping=Money(shipping, currency), insurance=Money(Decimal(0), currency), lines=[line])


@SETTINGS
@given(case=cases, value=cents, shipping=cents, claim=st.booleans(), quantity=st.integers(1, 50))
def test_no_amount_is_ever_negative(book, fx, case, value, shipping, claim, quantity):
    quote = quote_landed_cost(book, fx, request_for(*case, value, shipping, claim, quantity=quantity))
    amounts = [quote.customs_value, quote.duty, quote.total_duties_and_taxes, quote.landed_cost,
               *(t.amount for t in quote.taxes), *(t.base for t in quote.taxes), *(f.amount for f in quote.fees),
               *(line.duty for line in quote.lines)]
    assert all(m.amount >= 0 for m in amounts)
    assert quote.landed_cost.amount >= quote.total_duties_and_taxes.amount


@SETTINGS
@given(low=cents, extra=cents, case=st.sampled_from([("GB", "GBP", "6109100010", "CN"),
                                                     ("DE", "EUR", "64039996", "VN"),
                                                     ("US", "USD", "6109100040", "CN")]))
def test_duty_is_monotonic_in_value_for_ad_valorem_lines(book, fx, low, extra, case):
    # above the de minimis, so both quotes pay duty
    low = low + Decimal(1000)
    cheaper = quote_landed_cost(book, fx, request_for(*case, low))
    dearer = quote_landed_cost(book, fx, request_for(*case, low + extra))
    assert cheaper.duty.amount <= dearer.duty.amount
    assert cheaper.landed_cost.amount <= dearer.landed_cost.amount


@SETTINGS
@given(value=cents, case=st.sampled_from([
    ("JP", "JPY", "0902100000", "VN"), ("JP", "JPY", "0902100000", "FR"), ("JP", "JPY", "0902100000", "GB"),
    ("JP", "JPY", "0902100000", "CN"), ("US", "USD", "61091000", "KR"), ("CA", "CAD", "95030010", "JP"),
    ("GB", "GBP", "0809400500", "SG")]), on=st.sampled_from([date(2025, 6, 2), ON]))  # JP tariff from 2025-04-01
def test_a_preference_never_costs_more_than_mfn(book, fx, value, case, on):
    claimed = quote_landed_cost(book, fx, request_for(*case, value, claim=True, on=on))
    unclaimed = quote_landed_cost(book, fx, request_for(*case, value, claim=False, on=on))
    if unclaimed.needs_manual_assessment:
        return  # nothing to compare against (seasonal MFN)
    assert claimed.duty.amount <= unclaimed.duty.amount
    assert claimed.landed_cost.amount <= unclaimed.landed_cost.amount


# destination, currency, threshold, code, origin, on, (duty relieved, tax relieved, tax collected at) at the
# threshold, and the same one minor unit above it, as each regime's rules say
THRESHOLDS = [
    ("GB", "GBP", "135.00", "6109100010", "CN", ON, (True, False, "at_sale"), (False, False, "border")),
    ("DE", "EUR", "150.00", "6109100010", "CN", ON, (True, False, "at_sale"), (False, False, "border")),
    ("AU", "AUD", "1000.00", "61091000", "CN", ON, (True, False, "at_sale"), (False, False, "border")),
    ("JP", "JPY", "10000", "0902100000", "CN", ON, (True, True, None), (False, False, "border")),
    ("US", "USD", "800.00", "61091000", "KR", date(2025, 6, 1), (True, False, None), (False, False, None)),
    ("CA", "CAD", "20.00", "95030010", "CN", ON, (True, True, None), (False, False, "border")),
    ("CA", "CAD", "150.00", "95030010", "US", ON, (True, False, "border"), (False, False, "border")),
]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=st.sampled_from(THRESHOLDS))
def test_one_minor_unit_over_a_de_minimis_switches_exactly_what_the_regime_says(book, fx, case):
    destination, currency, threshold, code, origin, on, at_rule, over_rule = case
    step = Decimal(1) if currency == "JPY" else Decimal("0.01")
    for value, (duty_relieved, tax_relieved, collected) in ((Decimal(threshold), at_rule),
                                                            (Decimal(threshold) + step, over_rule)):
        quote = quote_landed_cost(book, fx, request_for(destination, currency, code, origin, value, on=on))
        assert (quote.de_minimis.duty_applied, quote.de_minimis.tax_applied) == (duty_relieved, tax_relieved), value
        assert (quote.lines[0].rule == "de_minimis") is duty_relieved
        assert {t.collected for t in quote.taxes} == ({collected} if collected else set()), value


# Japan's lines as in Customs Answer 1111: 14% standard-rate handbags, 14% reduced-rate beans, 17% tea
JP_LINES = st.lists(st.tuples(st.sampled_from(["420221110", "200551110", "0902100000"]),
                              st.integers(min_value=1, max_value=3_000_000)), min_size=1, max_size=5)


@SETTINGS
@given(lines=JP_LINES)
def test_japan_cuts_the_duty_and_each_tax_to_the_100_yen_below_and_the_lines_add_up(book, fx, lines):
    request = QuoteRequest(
        origin="BR", destination="JP", on=ON, incoterm="DDP", currency="JPY", shipping=Money(Decimal(0), "JPY"),
        insurance=Money(Decimal(0), "JPY"),
        lines=[QuoteLine(hs_code=code, description="item", quantity=1, unit_value=Money(Decimal(value), "JPY"),
                         net_weight_kg=Decimal(1), origin="BR") for code, value in lines])
    quote = quote_landed_cost(book, fx, request)
    assert quote.duty.amount % 100 == 0
    assert sum(line.duty.amount for line in quote.lines) == quote.duty.amount
    # national and local consumption tax are each cut to the 100 yen below, so their sum is too
    assert sum(t.amount.amount for t in quote.taxes) % 100 == 0
    assert all(t.amount.amount >= 0 and t.base.amount % 1000 == 0 for t in quote.taxes)
    # never more than the rates on the uncut figures
    uncut_duty = sum(Decimal(value) * (Decimal("0.17") if code == "0902100000" else Decimal("0.14"))
                     for code, value in lines)
    assert quote.de_minimis.duty_applied or quote.duty.amount <= uncut_duty
