"""What the seller gets back (logistics/domain/rates/result.py, and the sort in shop()): options
in the order asked for, with amounts as strings in JSON."""

from __future__ import annotations

from logistics.domain.rates import quote, shop
from tests.logistics.domain.rates.shipments import BOOK, box, request


def test_sort_by_price_puts_the_cheapest_first_and_by_speed_the_fastest():
    shipment = request(box("1.2", "30", "20", "15"), box("0.8"))

    by_price = shop(BOOK, shipment, sort="price").options
    by_speed = shop(BOOK, shipment, sort="speed").options

    assert [o.price.amount for o in by_price] == sorted(o.price.amount for o in by_price)
    assert [o.transit_days_max for o in by_speed] == sorted(o.transit_days_max for o in by_speed)
    assert by_speed[0].mode == "express"
    assert by_price[0].mode == "ehub_sea"
    assert {o.code for o in by_price} == {o.code for o in by_speed}


def test_an_option_serialises_amounts_as_strings():
    option = quote(BOOK, request(box("1")), "ehub_hgh_air_eu")

    payload = option.as_json()

    assert payload["price"] == {"amount": "78.54", "currency": "CNY"}
    assert all(isinstance(leg["price"]["amount"], str) for leg in payload["legs"])
    assert payload["chargeable_weight_kg"] == "1.0"
