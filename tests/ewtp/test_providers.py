"""Each outside system's implementation is chosen by its setting, the same way for all of them
(ewtp/providers.py): the built-in default when nothing is set, a short name, the dotted path of a
class, and a clear ImproperlyConfigured naming the setting for a name that builds nothing usable."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from customs.integrations.authority import CustomsAuthority, SimulatedAuthority, authority_adapter
from logistics.integrations.base import CarrierAdapter
from logistics.integrations.simulated import SimulatedCarrier
from logistics.services import carrier_adapter
from payments.integrations.providers import PaymentProvider, SandboxProvider, StripeProvider, payment_provider


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


class OfflineAuthority:
    poll_after_seconds = 60.0

    def lodge(self, lodgement):
        raise NotImplementedError

    def answer(self, receipt, *, lodgement):
        return None

    def settle(self, settlement):
        raise NotImplementedError


class HalfAnAdapter:
    """Has one of the calls every interface asks for, and none of the others."""

    def book(self, request):
        raise NotImplementedError


# (setting, what builds the implementation, its interface, the built-in default, a stand-in's dotted path)
SYSTEMS = [
    pytest.param("CARRIER_ADAPTER", carrier_adapter, CarrierAdapter, SimulatedCarrier,
                 f"{__name__}.OfflineCarrier", id="carrier"),
    pytest.param("CUSTOMS_AUTHORITY", authority_adapter, CustomsAuthority, SimulatedAuthority,
                 f"{__name__}.OfflineAuthority", id="customs-authority"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("setting,build,interface,default,_path", SYSTEMS)
def test_with_nothing_set_the_offline_default_is_used(settings, setting, build, interface, default, _path):
    # given no setting at all
    delattr(settings, setting)

    # when
    chosen = build()

    # then
    assert type(chosen) is default and isinstance(chosen, interface)


def test_with_nothing_set_payments_go_to_the_sandbox(settings):
    delattr(settings, "PAYMENT_PROVIDER")

    assert type(payment_provider()) is SandboxProvider


def test_a_short_name_chooses_the_built_in_and_a_stored_payment_keeps_its_provider(settings):
    settings.PAYMENT_PROVIDER = "stripe"

    assert type(payment_provider()) is StripeProvider
    assert type(payment_provider("sandbox")) is SandboxProvider  # a payment taken before the switch


@pytest.mark.parametrize("setting,build,interface,_default,path", SYSTEMS)
def test_a_dotted_path_in_the_setting_chooses_that_class(settings, setting, build, interface, _default, path):
    setattr(settings, setting, path)

    chosen = build()

    assert type(chosen).__name__ == path.rpartition(".")[2] and isinstance(chosen, interface)


@pytest.mark.parametrize("setting,build,interface,_default,_path", SYSTEMS + [
    pytest.param("PAYMENT_PROVIDER", payment_provider, PaymentProvider, None, None, id="payments")])
@pytest.mark.parametrize("name,says", [
    ("ewtp.nowhere.Adapter", "no module 'ewtp.nowhere'"),
    ("ewtp.providers.Nope", "names no class"),
    ("paypal", "names no class"),
    (f"{__name__}.HalfAnAdapter", "lacks"),
])
def test_a_name_that_builds_nothing_usable_fails_and_says_which_setting(settings, setting, build, interface,
                                                                       _default, _path, name, says):
    setattr(settings, setting, name)

    with pytest.raises(ImproperlyConfigured) as refused:
        build()

    assert str(refused.value).startswith(f"{setting}={name!r}") and says in str(refused.value)
