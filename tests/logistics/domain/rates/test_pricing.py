"""Pricing an option (logistics/domain/rates/pricing.py): zone bands and eHub legs, fuel, special
services for the goods, parcel by parcel, in the buyer's currency; and its invariants."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ewtp.money import Money
from ewtp.trade import Commodity, Parcel
from logistics.domain.rates import REASON_CODES, quote, shop
from tests.logistics.domain.rates.shipments import BOOK, FX, D, box, request

# --- the demo journey ------------------------------------------------------------------------------


def test_hangzhou_seller_sees_the_ehub_route_to_london_priced_leg_by_leg():
    # given a 2-parcel shipment from Hangzhou to London
    shipment = request(box("1.2", "30", "20", "15"), box("0.8"))

    # when the seller shops for rates
    result = shop(BOOK, shipment)

    # then the Hangzhou eHub air route is offered as first mile + linehaul + last mile, and adds up
    ehub = result.option("ehub_hgh_air_eu")
    assert ehub is not None
    assert ehub.ehub == "HGH" and ehub.mode == "ehub_air"
    assert [leg.name for leg in ehub.legs] == ["first mile", "linehaul", "last mile"]
    assert ehub.price == sum((leg.price for leg in ehub.legs), Money.zero("CNY"))
    assert (ehub.transit_days_min, ehub.transit_days_max) == (
        sum(leg.days_min for leg in ehub.legs), sum(leg.days_max for leg in ehub.legs))
    # and every service is either offered or excluded with a reason, never silently dropped
    assert {o.code for o in result.options} | {e.code for e in result.excluded} == {s.code for s in BOOK.services}
    assert all(e.reason_code in REASON_CODES and e.reason for e in result.excluded)


def test_ehub_route_price_is_the_sum_of_its_legs_computed_by_hand():
    # given one 1 kg parcel (volumetric 0.17 kg) from CN to GB
    shipment = request(box("1.0", "10", "10", "10"))

    # when the Hangzhou eHub air route is quoted
    option = quote(BOOK, shipment, "ehub_hgh_air_eu")

    # then first mile 4 + 1.5/kg, linehaul (2 + 40/kg) + 12% fuel, last mile 22 + 4/kg
    assert [leg.price for leg in option.legs] == [Money(D("5.50"), "CNY"), Money(D("47.04"), "CNY"),
                                                  Money(D("26.00"), "CNY")]
    assert option.price == Money(D("78.54"), "CNY")
    assert (option.transit_days_min, option.transit_days_max) == (1 + 3 + 1, 2 + 5 + 3)


def test_express_beyond_the_last_break_adds_the_half_kilo_price_and_fuel():
    # given a 21 kg parcel by DHL Express from CN to GB (zone D: 20 kg = 2538.00, +50.40 per 0.5 kg)
    shipment = request(box("21", "40", "30", "30"))

    # when quoted
    option = quote(BOOK, shipment, "dhl_express_worldwide")

    # then two extra half kilos, plus the 24.50% fuel surcharge
    assert option.chargeable_weight_kg == D("21")
    assert option.price == Money((D("2538.00") + 2 * D("50.40")) * D("1.245"), "CNY").rounded()
    assert any("Fuel surcharge 24.50%" in line for line in option.breakdown)


# --- special services for the goods --------------------------------------------------------------


def test_batteries_by_express_need_the_dangerous_goods_service_and_pay_for_it():
    # given the same parcel with and without loose lithium batteries
    plain = quote(BOOK, request(box("1")), "dhl_express_worldwide")
    batteries = Commodity(hs_code="8507.60", description="Lithium-ion cells", unit_value=Money(D("200"), "CNY"))

    # when express is quoted for the batteries
    option = quote(BOOK, request(box("1"), goods=(batteries,)), "dhl_express_worldwide")

    # then it is offered with the special service and its per-shipment charge
    assert option.special_services == ["dangerous_goods_lithium"]
    assert option.price - plain.price == Money(D("580.00"), "CNY")


def test_phones_by_ehub_travel_on_the_battery_line_per_parcel():
    # given two parcels holding smartphones (HS 8517.13: lithium batteries installed)
    phones = Commodity(hs_code="8517.13", description="Smartphones", unit_value=Money(D("2000"), "CNY"))
    plain = quote(BOOK, request(box("1"), box("1")), "ehub_hgh_air_eu")

    # when the eHub air route is quoted
    option = quote(BOOK, request(box("1"), box("1"), goods=(phones,)), "ehub_hgh_air_eu")

    # then the battery line charge is added to the linehaul, once per parcel
    assert option.special_services == ["battery_line"]
    assert option.legs[1].price - plain.legs[1].price == Money(D("10.00"), "CNY")
    assert any("battery" in line for line in option.breakdown)


# --- parcel by parcel, in the buyer's currency -----------------------------------------------------


def test_multi_parcel_shipment_is_priced_parcel_by_parcel():
    # given three parcels of different sizes
    parcels = [box("1.2", "30", "20", "15"), box("0.4"), box("6", "40", "30", "30")]

    # when quoted together and one by one
    together = quote(BOOK, request(*parcels), "dhl_express_worldwide")
    alone = [quote(BOOK, request(parcel), "dhl_express_worldwide") for parcel in parcels]

    # then the shipment costs the sum of its parcels (to the cent, rounding once) and weighs their sum
    assert abs(together.price.amount - sum(option.price.amount for option in alone)) <= D("0.02")
    assert together.chargeable_weight_kg == sum(option.chargeable_weight_kg for option in alone)
    assert sum(1 for line in together.breakdown if line.startswith("Parcel ")) == 3


def test_prices_convert_to_the_buyers_currency_leg_by_leg():
    # when a London buyer asks for prices in GBP
    result = shop(BOOK, request(box("1.2"), box("0.8")), fx=FX, currency="GBP")

    # then every price is in GBP, its legs add up, and the carrier's CNY figure is kept
    assert result.options
    for option in result.options:
        assert option.price.currency == "GBP"
        assert option.price == sum((leg.price for leg in option.legs), Money.zero("GBP"))
        assert option.card_price.currency == "CNY"
        expected = FX.convert(option.card_price, "GBP").amount
        assert abs(option.price.amount - expected) <= D("0.01") * len(option.legs)


# --- invariants ----------------------------------------------------------------------------------

weights = st.decimals(min_value=D("0.01"), max_value=D("69.99"), places=2)
sides = st.decimals(min_value=D("1"), max_value=D("100"), places=1)
lanes = st.sampled_from([("CN", "GB"), ("CN", "US"), ("CN", "JP"), ("MY", "SG"), ("MY", "DE"), ("DE", "FR"),
                         ("GB", "US"), ("US", "CA"), ("BE", "CN")])
# (service, origin, destination) for every lane some service carries a 1 kg box of T-shirts on
SERVED = sorted({(option.code, origin, destination)
                 for origin in sorted(set().union(*(s.origins for s in BOOK.services)))
                 for destination in sorted(set().union(*(s.destinations for s in BOOK.services)))
                 for option in shop(BOOK, request(box("1"), origin=origin, destination=destination), fx=FX).options})


@settings(max_examples=150, deadline=None)
@given(lane=lanes, weight=weights, length=sides, width=sides, height=sides)
def test_every_option_costs_something_and_charges_at_least_the_actual_weight(lane, weight, length, width, height):
    result = shop(BOOK, request(Parcel(weight, length, width, height), origin=lane[0], destination=lane[1]), fx=FX)

    # every service is offered or left out with a reason, and what is offered is priced sensibly
    assert {o.code for o in result.options} | {e.code for e in result.excluded} == {s.code for s in BOOK.services}
    for option in result.options:
        assert option.price.amount > 0
        assert all(leg.price.amount >= 0 for leg in option.legs)
        assert option.chargeable_weight_kg >= weight
        assert option.transit_days_min <= option.transit_days_max


@settings(max_examples=150, deadline=None)
@given(lane=st.sampled_from(SERVED), data=st.data())
def test_a_heavier_parcel_never_costs_less_on_the_same_service(lane, data):
    # given two weights the service carries on a lane it serves
    service, origin, destination = lane
    limit = BOOK.service(service).limits.max_weight_kg
    kilos = st.decimals(min_value=D("0.01"), max_value=limit, places=2)
    lighter, heavier = sorted((data.draw(kilos), data.draw(kilos)))

    # when both are quoted
    cheap = quote(BOOK, request(box(str(lighter)), origin=origin, destination=destination), service, fx=FX)
    dear = quote(BOOK, request(box(str(heavier)), origin=origin, destination=destination), service, fx=FX)

    # then the heavier one costs at least as much
    assert cheap.price <= dear.price
