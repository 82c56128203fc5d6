"""Rate shopping over the shipped reference data: what a seller sees when asking for shipping options."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ewtp.exceptions import ApplicationError
from ewtp.money import FxTable, Money
from ewtp.trade import Commodity, Parcel
from logistics.domain.rates import (
    REASON_CODES,
    RateBook,
    RateRequest,
    quote,
    shop,
)

D = Decimal
BOOK = RateBook.from_files()
FX = FxTable({"USD": D("1.04"), "GBP": D("0.83"), "CNY": D("7.60"), "MYR": D("4.65")}, date(2025, 1, 2), "test rates")

TSHIRTS = Commodity(hs_code="6109.10", description="Cotton T-shirts", unit_value=Money(D("300"), "CNY"))


def box(kg: str, length: str = "20", width: str = "15", height: str = "10") -> Parcel:
    return Parcel(D(kg), D(length), D(width), D(height))


def request(*parcels: Parcel, origin: str = "CN", destination: str = "GB", goods: tuple = (TSHIRTS,)) -> RateRequest:
    return RateRequest(origin, destination, list(parcels), list(goods))


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


# --- exclusions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shipment", "service", "reason_code", "says"),
    [
        (request(box("3")), "cnpost_epacket", "too_heavy", "2 kg"),
        (request(box("1", "130", "20", "20")), "dhl_express_worldwide", "too_large", "120 cm"),
        (request(box("1", "130", "20", "20")), "ehub_hgh_air_eu", "too_large", "longest side"),
        (request(box("1", "50", "30", "20")), "cnpost_epacket", "too_large", "90 cm"),
        (request(box("5", "100", "60", "60")), "cnpost_air_parcel", "too_large", "length plus girth"),
        (request(box("1")), "ehub_hgh_air_world", "destination_not_served", "GB"),
        (request(box("1")), "posmy_air_parcel", "origin_not_served", "MY"),
        (request(box("1"), origin="MY", destination="JP"), "ehub_hgh_air_eu", "origin_not_served", "CN"),
        (request(box("1"), goods=(Commodity(hs_code="8507.60", description="Power bank cells", unit_value=Money(D("200"), "CNY")),)),
         "cnpost_epacket", "goods_not_accepted", "Batteries"),
        (request(box("1"), goods=(Commodity(hs_code="850760", description="Power bank cells", unit_value=Money(D("200"), "CNY")),)),
         "ehub_hgh_air_eu", "goods_not_accepted", "HS 850760"),
        (request(box("1"), goods=(Commodity(hs_code="9303", description="Air rifle", unit_value=Money(D("900"), "CNY")),)),
         "dhl_express_worldwide", "goods_not_accepted", "Arms"),
        (request(box("1"), goods=(Commodity(hs_code="6109", description="T-shirts", unit_value=Money(D("3500"), "CNY")),)),
         "cnpost_epacket", "value_too_high", "3,000.00 CNY"),
        (request(box("1"), origin="CN", destination="CN"), "dhl_express_worldwide", "destination_not_served",
         "domestic"),
    ],
)
def test_an_option_left_out_says_why(shipment, service, reason_code, says):
    # when the seller shops
    result = shop(BOOK, shipment, fx=FX)

    # then the service is not offered, and the reason names the limit that was hit
    assert result.option(service) is None
    exclusion = result.exclusion(service)
    assert exclusion is not None
    assert exclusion.reason_code == reason_code
    assert says in exclusion.reason


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


def test_a_country_no_service_reaches_gives_no_options_and_every_reason():
    # when shipping from China to Zimbabwe (a real country none of the cards covers)
    result = shop(BOOK, request(box("1"), destination="ZW"))

    # then nothing is offered and each service says it does not go there (or does not start in CN)
    assert result.options == []
    assert {e.reason_code for e in result.excluded} <= {"destination_not_served", "origin_not_served"}
    assert len(result.excluded) == len(BOOK.services)


# --- chargeable weight -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parcel", "service", "chargeable"),
    [
        (box("1", "10", "10", "10"), "dhl_express_worldwide", "1.0"),  # actual wins
        (box("1", "50", "40", "30"), "dhl_express_worldwide", "12.0"),  # 60000 cm³ / 5000
        (box("2.2"), "dhl_express_worldwide", "2.5"),  # rounded up to the 0.5 kg step
        (box("1", "50", "40", "30"), "cnpost_air_parcel", "10.0"),  # 60000 cm³ / 6000 (postal)
        (box("0.123", "10", "10", "5"), "cnpost_epacket", "0.13"),  # 0.01 kg step
        (box("0.41", "30", "20", "10"), "ehub_hgh_air_eu", "1.0"),  # volumetric 1.0 kg
    ],
)
def test_chargeable_weight_is_the_greater_of_actual_and_volumetric_rounded_up(parcel, service, chargeable):
    option = quote(BOOK, request(parcel), service)

    assert option.chargeable_weight_kg == D(chargeable)


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


# --- sorting -------------------------------------------------------------------------------------


def test_sort_by_price_puts_the_cheapest_first_and_by_speed_the_fastest():
    shipment = request(box("1.2", "30", "20", "15"), box("0.8"))

    by_price = shop(BOOK, shipment, sort="price").options
    by_speed = shop(BOOK, shipment, sort="speed").options

    assert [o.price.amount for o in by_price] == sorted(o.price.amount for o in by_price)
    assert [o.transit_days_max for o in by_speed] == sorted(o.transit_days_max for o in by_speed)
    assert by_speed[0].mode == "express"
    assert by_price[0].mode == "ehub_sea"
    assert {o.code for o in by_price} == {o.code for o in by_speed}


# --- currencies ----------------------------------------------------------------------------------


def test_prices_convert_to_the_buyers_currency_leg_by_leg():
    # when a London buyer asks for prices in GBP
    result = shop(BOOK, request(box("1.2"), box("0.8")), fx=FX, currency="GBP")

    # then every price is in GBP, its legs add up, and the carrier's CNY figure is kept
    for option in result.options:
        assert option.price.currency == "GBP"
        assert option.price == sum((leg.price for leg in option.legs), Money.zero("GBP"))
        assert option.card_price.currency == "CNY"
        expected = FX.convert(option.card_price, "GBP").amount
        assert abs(option.price.amount - expected) <= D("0.01") * len(option.legs)


def test_goods_valued_in_another_currency_need_fx_to_check_the_value_limit():
    # given goods priced in USD at 500 (about 3,650 CNY: above the ePacket's 3,000 CNY)
    goods = (Commodity(hs_code="6109", description="T-shirts", unit_value=Money(D("500"), "USD")),)

    # then without an FX table the engine refuses to guess, and with one it applies the limit
    with pytest.raises(ValueError, match="fx"):
        shop(BOOK, request(box("1"), goods=goods))
    assert shop(BOOK, request(box("1"), goods=goods), fx=FX).exclusion("cnpost_epacket").reason_code == "value_too_high"


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shipment", "code", "field"),
    [
        (request(box("0")), "invalid_parcel", "parcels[0].weight_kg"),
        (request(box("1"), box("-2")), "invalid_parcel", "parcels[1].weight_kg"),
        (request(Parcel(D("1"), None, D("10"), D("10"))), "invalid_parcel", "parcels[0].length_cm"),
        (request(box("1", "20", "0", "10")), "invalid_parcel", "parcels[0].width_cm"),
        (request(box("1", "4000", "10", "10")), "invalid_parcel", "parcels[0].length_cm"),
        (request(box("1", "20", "20", "301")), "invalid_parcel", "parcels[0].height_cm"),
        (request(Parcel("heavy", D("1"), D("1"), D("1"))), "invalid_parcel", "parcels[0].weight_kg"),
        (request(box("5000")), "invalid_parcel", "parcels[0].weight_kg"),
        (request(), "no_parcels", "parcels"),
        (request(box("1"), origin="XX"), "invalid_country", "origin"),
        (request(box("1"), destination="GBR"), "invalid_country", "destination"),
        (request(box("1"), destination=""), "invalid_country", "destination"),
        (request(box("1"), goods=(Commodity(hs_code="61A9", description="T-shirts", unit_value=Money(D("1"), "CNY")),)), "invalid_goods",
         "goods[0].hs_code"),
        (request(box("1"), goods=(TSHIRTS, Commodity(hs_code="6109", description="T-shirts", unit_value=Money(D("-1"), "CNY")))), "invalid_goods",
         "goods[1].value"),
    ],
)
def test_bad_input_is_refused_with_a_code_and_the_field_at_fault(shipment, code, field):
    with pytest.raises(ApplicationError) as error:
        shop(BOOK, shipment)

    assert (error.value.code, error.value.field) == (code, field)
    assert error.value.message


def test_country_codes_are_read_case_insensitively():
    assert shop(BOOK, request(box("1"), origin="cn", destination=" gb ")).option("ehub_hgh_air_eu") is not None


def test_unknown_sort_and_unknown_service_are_input_errors():
    with pytest.raises(ApplicationError) as sort_error:
        shop(BOOK, request(box("1")), sort="colour")
    with pytest.raises(ApplicationError) as service_error:
        quote(BOOK, request(box("1")), "pigeon_post")

    assert (sort_error.value.code, sort_error.value.field) == ("invalid_sort", "sort")
    assert (service_error.value.code, service_error.value.field) == ("unknown_service", "service_code")


def test_quoting_a_service_that_cannot_carry_the_shipment_says_why():
    with pytest.raises(ApplicationError) as error:
        quote(BOOK, request(box("3")), "cnpost_epacket")

    assert (error.value.code, error.value.field) == ("too_heavy", "service_code")


# --- invariants ----------------------------------------------------------------------------------

weights = st.decimals(min_value=D("0.01"), max_value=D("69.99"), places=2)
sides = st.decimals(min_value=D("1"), max_value=D("100"), places=1)
lanes = st.sampled_from([("CN", "GB"), ("CN", "US"), ("CN", "JP"), ("MY", "SG"), ("MY", "DE"), ("DE", "FR"),
                         ("GB", "US"), ("US", "CA"), ("BE", "CN")])


@settings(max_examples=150, deadline=None)
@given(lane=lanes, weight=weights, length=sides, width=sides, height=sides)
def test_every_option_costs_something_and_charges_at_least_the_actual_weight(lane, weight, length, width, height):
    result = shop(BOOK, request(Parcel(weight, length, width, height), origin=lane[0], destination=lane[1]), fx=FX)

    for option in result.options:
        assert option.price.amount > 0
        assert all(leg.price.amount >= 0 for leg in option.legs)
        assert option.chargeable_weight_kg >= weight
        assert option.transit_days_min <= option.transit_days_max


@settings(max_examples=150, deadline=None)
@given(lane=lanes, lighter=weights, heavier=weights, service=st.sampled_from([s.code for s in BOOK.services]))
def test_a_heavier_parcel_never_costs_less_on_the_same_service(lane, lighter, heavier, service):
    lighter, heavier = sorted((lighter, heavier))
    cheap = shop(BOOK, request(box(str(lighter)), origin=lane[0], destination=lane[1]), fx=FX).option(service)
    dear = shop(BOOK, request(box(str(heavier)), origin=lane[0], destination=lane[1]), fx=FX).option(service)

    if cheap is not None and dear is not None:
        assert cheap.price <= dear.price


# --- the reference data --------------------------------------------------------------------------

REQUIRED_DESTINATIONS = {"GB", "DE", "FR", "NL", "BE", "IT", "ES", "PL", "IE", "US", "CN", "MY", "SG", "JP", "AU",
                         "CA", "TH", "KR"}


def test_reference_data_covers_the_demo_countries_and_every_mode():
    destinations = set().union(*(service.destinations for service in BOOK.services))
    origins = set().union(*(service.origins for service in BOOK.services))

    assert REQUIRED_DESTINATIONS <= destinations
    assert len(destinations) >= 20
    assert {"CN", "MY", "DE", "GB", "US"} <= origins
    assert {service.mode for service in BOOK.services} == {"postal", "express", "ehub_air", "ehub_sea"}
    assert {service.ehub for service in BOOK.services if service.ehub} == {"HGH", "KUL", "LGG"}


def test_every_card_keeps_its_source_and_says_whether_it_is_illustrative():
    assert BOOK.as_of and BOOK.version
    for entry in BOOK.sources:
        assert entry["source"] and entry["source"]["name"]
        assert isinstance(entry["illustrative"], bool)


def test_a_card_whose_heavier_break_costs_less_is_refused_at_load():
    # given the shipped data with one break made cheaper than the one before
    import json

    from logistics.domain.rates import DATA_FILES, DEFAULT_DATA_DIR

    data = {name: json.loads((DEFAULT_DATA_DIR / f"{name}.json").read_text(encoding="utf-8")) for name in DATA_FILES}
    data["rate_cards"]["cards"][0]["rates"]["1"]["breaks"][1][1] = "0.01"

    with pytest.raises(ValueError, match="cost less"):
        RateBook.from_dict(data)


def test_an_option_serialises_amounts_as_strings():
    option = quote(BOOK, request(box("1")), "ehub_hgh_air_eu")

    payload = option.as_json()

    assert payload["price"] == {"amount": "78.54", "currency": "CNY"}
    assert all(isinstance(leg["price"]["amount"], str) for leg in payload["legs"])
    assert payload["chargeable_weight_kg"] == "1.0"
