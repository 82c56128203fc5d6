"""Which services can carry a shipment (logistics/domain/rates/feasibility.py): every service
left out says why, naming the limit that was hit."""

from __future__ import annotations

import pytest

from ewtp.exceptions import ApplicationError
from ewtp.money import Money
from ewtp.trade import Commodity
from logistics.domain.rates import quote, shop
from tests.logistics.domain.rates.shipments import BOOK, FX, D, box, request


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


def test_a_country_no_service_reaches_gives_no_options_and_every_reason():
    # when shipping from China to Zimbabwe (a real country none of the cards covers)
    result = shop(BOOK, request(box("1"), destination="ZW"))

    # then nothing is offered and each service says it does not go there (or does not start in CN)
    assert result.options == []
    assert {e.reason_code for e in result.excluded} <= {"destination_not_served", "origin_not_served"}
    assert len(result.excluded) == len(BOOK.services)


def test_quoting_a_service_that_cannot_carry_the_shipment_says_why():
    with pytest.raises(ApplicationError) as error:
        quote(BOOK, request(box("3")), "cnpost_epacket")

    assert (error.value.code, error.value.field) == ("too_heavy", "service_code")
