"""Which carrier adapter the shipment services use: the setting CARRIER_ADAPTER, the simulator by default."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from logistics.integrations.base import CarrierAdapter
from logistics.integrations.simulated import SimulatedCarrier
from logistics.services import carrier_adapter


class OfflineCarrier:
    """A stand-in for a real carrier's adapter, as a deployment would name it in the setting."""

    def rate(self, request):
        raise NotImplementedError

    def book(self, request):
        raise NotImplementedError

    def cancel(self, tracking_number):
        raise NotImplementedError

    def track(self, tracking_number, *, booked_at, now, customs_released_at=None):
        return []


@pytest.mark.django_db
def test_with_nothing_set_the_simulated_carrier_books_every_service(settings):
    # given no CARRIER_ADAPTER setting
    if hasattr(settings, "CARRIER_ADAPTER"):
        del settings.CARRIER_ADAPTER

    # when
    adapter = carrier_adapter()

    # then
    assert isinstance(adapter, SimulatedCarrier)
    assert isinstance(adapter, CarrierAdapter)


def test_a_dotted_path_in_the_setting_chooses_that_adapter(settings):
    settings.CARRIER_ADAPTER = "tests.logistics.integrations.test_carrier_choice.OfflineCarrier"

    adapter = carrier_adapter()

    assert type(adapter).__name__ == "OfflineCarrier"
    assert isinstance(adapter, CarrierAdapter)


@pytest.mark.parametrize("name", ["logistics.integrations.nowhere.Carrier", "logistics.integrations.simulated.Nope",
                                  "nodots"])
def test_a_setting_naming_no_class_fails_and_says_which_setting(settings, name):
    settings.CARRIER_ADAPTER = name

    with pytest.raises(ImproperlyConfigured, match="CARRIER_ADAPTER"):
        carrier_adapter()
