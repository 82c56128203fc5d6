"""A trade-finance advance on Stripe: paid out as a Connect transfer to the seller's account (refused,
changing nothing, before onboarding is complete), and the financed order's release transfers only what
is left once the advance is repaid. Charges on localstripe; Connect on the fake at the library's boundary."""

import pytest

from accounts.selectors import company_of
from ewtp.exceptions import Conflict
from ewtp.money import Money
from finance import services as finance
from finance.models import Advance
from marketplace.services.checkout import order_place
from payments import services
from payments.models import LedgerEntry, LedgerTransaction
from payments.selectors import ledger_check
from tests import factories
from tests.finance.conftest import seasoned_seller
from tests.payments.test_stripe_connect import FakeConnect, connect_api  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def test_an_advance_is_a_connect_transfer_and_the_release_transfers_the_rest(stripe_mode, card, settings,
                                                                           connect_api):  # noqa: F811
    # given a seller with a record made on the sandbox, and an order paid with Stripe (on localstripe)
    settings.PAYMENT_PROVIDER = "sandbox"
    seller, buyer = seasoned_seller()
    settings.PAYMENT_PROVIDER = "stripe"
    order = order_place(buyer=buyer, listing_id=factories.listing(seller).pk, quantity=6)
    payment = order.checkout.payment
    services.payment_confirm(payment_id=payment.pk, buyer=buyer, payment_method=card("4242424242424242"))
    settings.STRIPE_API_BASE = connect_api  # Connect calls go to the fake from here on
    company = company_of(seller)
    offer = finance.advance_offer_create(user=seller, order_ids=[order.pk])

    # when it accepts before finishing Stripe onboarding, it is refused and nothing is booked
    services.seller_account_onboarding_link(company_id=company.pk, country="CN", email=seller.email,
                                            return_url="https://x/r", refresh_url="https://x/f")
    with pytest.raises(Conflict) as not_ready:
        finance.advance_accept(user=seller, offer_id=offer.pk, amount=Money("400.00", "CNY"))
    assert not_ready.value.code == "seller_not_onboarded"
    assert not Advance.objects.exists() and not LedgerTransaction.objects.filter(kind="advance_paid_out").exists()

    # then, onboarded, the advance less its fee is one transfer to its account, in yuan
    FakeConnect.payouts_enabled = True
    services.seller_account_refresh(company_id=company.pk)
    advance = finance.advance_accept(user=seller, offer_id=offer.pk, amount=Money("400.00", "CNY"))
    [(form, key)] = [(form, key) for path, form, key in FakeConnect.requests if path == "/v1/transfers"]
    assert key == f"advance:{advance.reference}" and form["destination"] == ["acct_seller1"]
    assert (form["amount"], form["currency"]) == (["39400"], ["cny"])  # 400 less the 1.5% fee
    assert advance.provider == "stripe" and advance.provider_id.startswith("tr_")

    # and the order's release repays the advance first, transferring the seller's share of the rest
    payout = services.escrow_release(reference=order.reference, company_id=company.pk, seller_currency="CNY")
    release = Money(offer.terms["orders"][0]["base"]["amount"], "CNY")
    assert payout.total == release - Money("400.00", "CNY") and payout.status == "transferred"
    transfers = [form for path, form, _key in FakeConnect.requests if path == "/v1/transfers"]
    assert len(transfers) == 2 and transfers[1]["currency"] == ["eur"]
    net = -LedgerEntry.objects.get(transaction__kind="escrow_released", transaction__reference=order.reference,
                                   account="fx_conversion", currency="EUR").amount  # the seller's share, in euros
    left = Money(net * payout.amount / release.amount, "EUR").rounded()  # what is not kept, in proportion
    assert transfers[1]["amount"] == [str(int(left.amount * 100))]
    advance.refresh_from_db()
    assert advance.status == "repaid"
    assert ledger_check().ok
