"""Reading a rate request (logistics/domain/rates/request.py): bad input refused at the field,
country codes as sellers type them, chargeable weights, goods valued in another currency."""

from __future__ import annotations

import pytest

from ewtp.exceptions import ApplicationError
from ewtp.money import Money
from ewtp.trade import Commodity, Parcel
from logistics.domain.rates import quote, shop
from tests.logistics.domain.rates.shipments import BOOK, FX, TSHIRTS, D, box, request


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
    # a seller typing "cn" and " gb " is offered exactly what "CN" and "GB" get, at the same prices
    typed = shop(BOOK, request(box("1"), origin="cn", destination=" gb "))
    canonical = shop(BOOK, request(box("1"), origin="CN", destination="GB"))

    assert typed.option("ehub_hgh_air_eu") is not None
    assert [(o.code, o.price) for o in typed.options] == [(o.code, o.price) for o in canonical.options]


def test_unknown_sort_and_unknown_service_are_input_errors():
    with pytest.raises(ApplicationError) as sort_error:
        shop(BOOK, request(box("1")), sort="colour")
    with pytest.raises(ApplicationError) as service_error:
        quote(BOOK, request(box("1")), "pigeon_post")

    assert (sort_error.value.code, sort_error.value.field) == ("invalid_sort", "sort")
    assert (service_error.value.code, service_error.value.field) == ("unknown_service", "service_code")


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


def test_goods_valued_in_another_currency_need_fx_to_check_the_value_limit():
    # given goods priced in USD at 500 (about 3,650 CNY: above the ePacket's 3,000 CNY)
    goods = (Commodity(hs_code="6109", description="T-shirts", unit_value=Money(D("500"), "USD")),)

    # then without an FX table the engine refuses to guess, and with one it applies the limit
    with pytest.raises(ValueError, match="fx"):
        shop(BOOK, request(box("1"), goods=goods))
    assert shop(BOOK, request(box("1"), goods=goods), fx=FX).exclusion("cnpost_epacket").reason_code == "value_too_high"
