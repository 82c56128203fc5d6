"""Compliance up front: denied-party screening of buyers at sign-up and at checkout (held before any money is
taken), of sellers at company verification, and the tariff book's restrictions when a listing is published and
at checkout. Clearance screens again later; these tests are about what happens before anyone pays or ships."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from accounts.models import Company, User
from accounts.services import DeniedPartyMatch, company_create, company_verify, user_signup
from ewtp.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from ewtp.models import StaffAction
from marketplace.models import Checkout, ComplianceHold, Listing, Order
from marketplace.services.addresses import address_add
from marketplace.services.checkout import checkout_pay, order_place
from marketplace.services.compliance import compliance_hold_clear, compliance_hold_refuse
from marketplace.services.listings import listing_create, listing_update
from marketplace.signals import checkout_held, checkout_hold_cleared, checkout_hold_refused
from payments.models import LedgerTransaction, Payment
from payments.selectors import ledger_check
from tests import factories

# OFAC SDN entry 24283, "DERIPASKA, Oleg Vladimirovich" (RU, CY): a buyer of this name in the UK scores 90.
DENIED_PERSON = "Oleg Vladimirovich Deripaska"
# OFAC SDN entry 306, "BANCO NACIONAL DE CUBA".
DENIED_COMPANY = "Banco Nacional de Cuba"


@pytest.fixture
def received():
    """The compliance signals each receiver heard, as (signal name, reference)."""
    heard = []

    def receiver(name):
        def receive(sender, reference, **kwargs):
            heard.append((name, reference))
        return receive

    receivers = {name: receiver(name) for name in ("held", "cleared", "refused")}
    checkout_held.connect(receivers["held"])
    checkout_hold_cleared.connect(receivers["cleared"])
    checkout_hold_refused.connect(receivers["refused"])
    yield heard
    checkout_held.disconnect(receivers["held"])
    checkout_hold_cleared.disconnect(receivers["cleared"])
    checkout_hold_refused.disconnect(receivers["refused"])


def denied_buyer():
    return factories.buyer(country="GB", currency="GBP", full_name=DENIED_PERSON)


def held_order(buyer=None, *, stock=10, quantity=2):
    tea = factories.listing(factories.seller(), stock=stock)
    buyer = buyer or denied_buyer()
    return buyer, tea, order_place(buyer=buyer, listing_id=tea.pk, quantity=quantity)


# --- buyers at sign-up -----------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_buyer_whose_name_is_on_a_list_signs_up_and_is_flagged_for_staff(reference_data):
    user = user_signup(email="oleg@example.com", password="a-long-pass-phrase-9", full_name=DENIED_PERSON,
                       country="GB")
    user.refresh_from_db()
    assert user.pk and user.screening == User.Screening.FLAGGED
    hit = user.screening_hits[0]
    assert (hit["list"], hit["entry_id"], hit["role"]) == ("OFAC-SDN", "24283", "buyer") and hit["score"] >= 88
    ordinary = user_signup(email="anna@example.com", password="a-long-pass-phrase-9", full_name="Anna Becker",
                           country="DE")
    assert ordinary.screening == User.Screening.CLEAR and ordinary.screening_hits == []


# --- buyers at checkout ----------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_matching_buyer_is_held_before_any_payment_exists(reference_data, received,
                                                            django_capture_on_commit_callbacks):
    # given a buyer in the UK whose name is on OFAC's SDN list
    tea = factories.listing(factories.seller(), stock=10)
    buyer = denied_buyer()
    # when they check out
    with django_capture_on_commit_callbacks(execute=True):
        order = order_place(buyer=buyer, listing_id=tea.pk, quantity=2)
    # then the order waits for compliance, with its stock reserved and no payment at all
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLIANCE_HOLD and order.stock_reserved
    assert Listing.objects.get(pk=tea.pk).stock == 8
    checkout = Checkout.objects.get(pk=order.checkout_id)
    assert checkout.payment is None and not Payment.objects.filter(buyer=buyer).exists()
    hold = ComplianceHold.objects.get(checkout=checkout)
    assert hold.status == "held" and {h["entry_id"] for h in hold.hits} == {"24283"}
    assert received == [("held", checkout.reference)]
    # and paying is refused, still with nothing charged
    with pytest.raises(Conflict) as refused:
        checkout_pay(buyer=buyer, reference=checkout.reference, card_number="4242424242424242")
    assert refused.value.code == "compliance_hold"
    assert not Payment.objects.exists() and not LedgerTransaction.objects.exists()
    assert ledger_check().ok


@pytest.mark.django_db
def test_the_ship_to_recipient_is_screened_too(reference_data):
    buyer = factories.buyer(country="GB", currency="GBP")
    address_add(user=buyer, name=DENIED_PERSON, line="1 Strand", city="London", country="GB", make_default=True)
    _, _, order = held_order(User.objects.get(pk=buyer.pk))
    hold = ComplianceHold.objects.get(checkout_id=order.checkout_id)
    assert [h["role"] for h in hold.hits] == ["ship-to"] and not hold.flagged_account


@pytest.mark.django_db
def test_an_ordinary_buyer_checks_out_and_pays_as_before(reference_data):
    buyer = factories.buyer()
    tea = factories.listing(factories.seller())
    order = order_place(buyer=buyer, listing_id=tea.pk, quantity=1)
    assert order.status == "pending_payment" and not ComplianceHold.objects.exists()
    assert checkout_pay(buyer=buyer, reference=order.checkout.reference,
                        card_number="4242424242424242").status == "succeeded"


@pytest.mark.django_db
def test_staff_clear_a_false_match_and_then_the_buyer_pays(reference_data, received,
                                                           django_capture_on_commit_callbacks):
    buyer, tea, order = held_order()
    hold = ComplianceHold.objects.get(checkout_id=order.checkout_id)
    compliance = factories.compliance()
    # when compliance staff clear it
    with django_capture_on_commit_callbacks(execute=True):
        compliance_hold_clear(staff=compliance, hold_id=hold.pk, reason="Different person: date of birth 1994.")
    # then the payment exists now, the orders await it, and the decision is audited
    checkout = Checkout.objects.select_related("payment").get(pk=order.checkout_id)
    assert checkout.payment is not None and checkout.payment.status == "requires_payment_method"
    assert Order.objects.get(pk=order.pk).status == "pending_payment"
    action = StaffAction.objects.get(action="checkout.compliance_clear")
    assert action.actor == compliance and "24283" in action.detail["entries"]
    assert ("cleared", checkout.reference) in received
    # and the buyer pays; the ledger balances
    assert factories.pay(buyer, checkout=_detail(buyer, checkout)).status == "succeeded"
    assert Order.objects.get(pk=order.pk).status == "paid" and ledger_check().ok
    # and the same cleared match does not hold their next checkout
    again = order_place(buyer=User.objects.get(pk=buyer.pk), listing_id=tea.pk, quantity=1)
    assert again.status == "pending_payment"


def _detail(buyer, checkout):
    from marketplace.selectors import checkout_get

    return checkout_get(buyer=buyer, reference=checkout.reference)


@pytest.mark.django_db
def test_staff_refuse_a_real_match_the_orders_are_cancelled_and_nothing_is_charged(reference_data, received,
                                                                                   django_capture_on_commit_callbacks):
    buyer, tea, order = held_order()
    hold = ComplianceHold.objects.get(checkout_id=order.checkout_id)
    with django_capture_on_commit_callbacks(execute=True):
        compliance_hold_refuse(staff=factories.compliance(), hold_id=hold.pk, reason="Confirmed: the listed person.")
    order.refresh_from_db()
    assert order.status == "cancelled" and not order.stock_reserved
    assert Listing.objects.get(pk=tea.pk).stock == 10
    assert not Payment.objects.exists() and not LedgerTransaction.objects.exists() and ledger_check().ok
    assert StaffAction.objects.filter(action="checkout.compliance_refuse").count() == 1
    assert ("refused", order.checkout.reference) in received
    with pytest.raises(Conflict) as paying:
        checkout_pay(buyer=buyer, reference=order.checkout.reference, card_number="4242424242424242")
    assert paying.value.code == "compliance_refused"
    # and the buyer stays flagged: the next checkout is held too
    assert User.objects.get(pk=buyer.pk).screening == User.Screening.FLAGGED
    assert order_place(buyer=buyer, listing_id=tea.pk, quantity=1).status == "compliance_hold"


# --- bad input changes nothing ---------------------------------------------------------------------

def _unchanged(hold, order):
    hold.refresh_from_db()
    order.refresh_from_db()
    return (hold.status == "held" and order.status == "compliance_hold" and not Payment.objects.exists()
            and not StaffAction.objects.filter(action__startswith="checkout.").exists())


@pytest.mark.django_db
def test_decisions_by_the_wrong_people_or_without_a_reason_change_nothing(reference_data):
    buyer, _tea, order = held_order()
    hold = ComplianceHold.objects.get(checkout_id=order.checkout_id)
    for someone in (buyer, factories.officer(), factories.finance(), factories.seller()):
        for decide in (compliance_hold_clear, compliance_hold_refuse):
            with pytest.raises(PermissionDenied):
                decide(staff=someone, hold_id=hold.pk, reason="I say so.")
    with pytest.raises(ApplicationError) as blank:
        compliance_hold_clear(staff=factories.compliance(), hold_id=hold.pk, reason="  ")
    assert blank.value.field == "reason"
    with pytest.raises(ApplicationError) as long:
        compliance_hold_refuse(staff=factories.compliance(), hold_id=hold.pk, reason="x" * 501)
    assert long.value.code == "too_long"
    for wrong_id in (hold.pk + 999, "abc", -1):
        with pytest.raises(NotFound):
            compliance_hold_clear(staff=factories.compliance(), hold_id=wrong_id, reason="ok")
    assert _unchanged(hold, order)


@pytest.mark.django_db
def test_a_replayed_or_second_decision_changes_nothing(reference_data):
    _buyer, _tea, order = held_order()
    hold = ComplianceHold.objects.get(checkout_id=order.checkout_id)
    staff = factories.compliance()
    compliance_hold_clear(staff=staff, hold_id=hold.pk, reason="False match.")
    payment = Checkout.objects.get(pk=order.checkout_id).payment
    for decide in (compliance_hold_clear, compliance_hold_refuse):
        with pytest.raises(Conflict) as again:
            decide(staff=staff, hold_id=hold.pk, reason="Again.")
        assert again.value.code == "already_decided"
    assert Payment.objects.count() == 1 and Checkout.objects.get(pk=order.checkout_id).payment == payment
    assert Order.objects.get(pk=order.pk).status == "pending_payment"
    assert StaffAction.objects.filter(action__startswith="checkout.").count() == 1


def test_two_staff_deciding_at_once_make_one_decision(transactional_db, reference_data):
    if connection.vendor != "postgresql":
        pytest.skip("Row locks that make one connection wait for another: PostgreSQL only")
    _buyer, tea, order = held_order()
    hold = ComplianceHold.objects.get(checkout_id=order.checkout_id)
    clearer, refuser = factories.compliance(), factories.compliance()

    def decide(which: str) -> str:
        try:
            if which == "clear":
                compliance_hold_clear(staff=clearer, hold_id=hold.pk, reason="False match.")
            else:
                compliance_hold_refuse(staff=refuser, hold_id=hold.pk, reason="Real match.")
            return which
        except Conflict as exc:
            return exc.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(decide, ["clear", "refuse", "clear", "refuse"]))
    assert outcomes.count("already_decided") == 3
    hold.refresh_from_db()
    won = hold.status
    assert StaffAction.objects.filter(action__startswith="checkout.").count() == 1
    if won == "cleared":
        assert Payment.objects.count() == 1 and Listing.objects.get(pk=tea.pk).stock == 8
    else:
        assert not Payment.objects.exists() and Listing.objects.get(pk=tea.pk).stock == 10
    assert ledger_check().ok


# --- sellers at company verification --------------------------------------------------------------

@pytest.fixture
def denied_company(db):
    owner = factories.user(country="CN", currency="CNY")
    return company_create(owner=owner, legal_name=DENIED_COMPANY, country="CN", city="Shanghai",
                          address="1 Bund", currency="CNY")


@pytest.mark.django_db
def test_a_seller_on_a_list_is_verified_only_with_an_audited_override(reference_data, denied_company):
    staff = factories.compliance()
    # the reviewing staff see the match with the list entry
    page = factories.page_client(staff).get(f"/staff/companies/{denied_company.pk}/").content.decode()
    assert "BANCO NACIONAL DE CUBA" in page and "OFAC-SDN" in page and "306" in page
    # verifying without an override is refused, and changes nothing
    with pytest.raises(DeniedPartyMatch) as refused:
        company_verify(company=denied_company, staff=staff, approve=True)
    assert refused.value.field == "override_reason" and refused.value.hits[0]["entry_id"] == "306"
    assert Company.objects.get(pk=denied_company.pk).verification == "pending"
    assert not StaffAction.objects.filter(target=f"company {denied_company.pk}").exists()
    # the page says so at the field
    response = factories.page_client(staff).post(f"/staff/companies/{denied_company.pk}/",
                                                 {"decision": "verify", "reason": ""})
    assert response.status_code == 200 and "Denied-party screening" in response.content.decode()
    assert Company.objects.get(pk=denied_company.pk).verification == "pending"
    # with an override of their own it is verified, and the override is audited with the entry
    company_verify(company=denied_company, staff=staff, approve=True,
                   override_reason="A different bank: registration checked with SAMR.")
    assert Company.objects.get(pk=denied_company.pk).is_verified
    override = StaffAction.objects.get(action="company.screening_override")
    assert "306" in override.detail["entries"] and "SAMR" in override.detail["override_reason"]


@pytest.mark.django_db
def test_a_seller_on_a_list_can_be_rejected_without_an_override(reference_data, denied_company):
    company_verify(company=denied_company, staff=factories.compliance(), approve=False, reason="Sanctioned.")
    assert Company.objects.get(pk=denied_company.pk).verification == "rejected"


# --- restrictions when publishing and at checkout ---------------------------------------------------

PEPPER_SPRAY = {"title_en": "Pepper spray 40 ml", "title_zh": "", "hs_code": "930400"}


@pytest.mark.django_db
def test_publishing_goods_a_destination_prohibits_is_refused_with_the_authoritys_wording(reference_data):
    seller = factories.seller()
    before = Listing.objects.count()
    with pytest.raises(ApplicationError) as refused:
        factories.listing(seller, **PEPPER_SPRAY)
    assert refused.value.code == "prohibited_destination" and refused.value.field == "does_not_ship_to"
    assert "GB" in refused.value.message and "prohibited weapons" in refused.value.message
    assert "Home Office" in refused.value.message
    assert Listing.objects.count() == before  # nothing half-made
    # excluding the country, it publishes
    listing = factories.listing(seller, **PEPPER_SPRAY, does_not_ship_to="gb")
    assert listing.status == "published" and listing.does_not_ship_to == ["GB"]
    # and taking the exclusion off a published listing is refused, the listing as it was
    with pytest.raises(ApplicationError):
        listing_update(user=seller, listing_id=listing.pk, data={"does_not_ship_to": []})
    assert Listing.objects.get(pk=listing.pk).does_not_ship_to == ["GB"]


@pytest.mark.django_db
def test_a_union_is_excluded_by_its_code_and_bad_codes_are_refused(reference_data):
    seller = factories.seller()
    fur = factories.listing(seller, title_en="Rabbit fur collar", hs_code="430310", does_not_ship_to=["EU"])
    assert fur.status == "published"
    with pytest.raises(ApplicationError) as bad:
        listing_create(user=seller, data={**PEPPER_SPRAY, "origin_country": "CN", "price_amount": "10.00",
                                          "stock": 1, "weight_kg": "0.1", "does_not_ship_to": "GB, Britain"})
    assert bad.value.field == "does_not_ship_to" and bad.value.code == "invalid_country"


@pytest.mark.django_db
def test_checkout_refuses_a_country_the_listing_is_not_shipped_to_or_that_prohibits_it(reference_data):
    seller = factories.seller()
    spray = factories.listing(seller, **PEPPER_SPRAY, does_not_ship_to=["GB"])
    with pytest.raises(Conflict) as excluded:
        order_place(buyer=factories.buyer(country="GB", currency="GBP"), listing_id=spray.pk, quantity=1)
    assert excluded.value.code == "not_shipped_to"
    # a prohibition the listing was published before (the tariff book changed since): refused with the wording
    Listing.objects.filter(pk=spray.pk).update(does_not_ship_to=[])
    with pytest.raises(Conflict) as prohibited:
        order_place(buyer=factories.buyer(country="GB", currency="GBP"), listing_id=spray.pk, quantity=1)
    assert prohibited.value.code == "prohibited_destination" and "prohibited weapons" in prohibited.value.message
    assert not Order.objects.exists() and not Payment.objects.exists()


@pytest.mark.django_db
def test_a_licence_clearance_will_ask_for_is_shown_to_the_buyer_and_the_seller(reference_data):
    seller = factories.seller()
    vape = factories.listing(seller, title_en="E-cigarette kit", hs_code="854340", does_not_ship_to=["SG", "TH"])
    buyer = factories.buyer(country="AU", currency="AUD")
    order = order_place(buyer=buyer, listing_id=vape.pk, quantity=1)
    page = factories.page_client(buyer).get(f"/checkout/{order.checkout.reference}/").content.decode()
    assert 'data-testid="licence-notices"' in page and "AU:" in page
    form = factories.page_client(seller).get(f"/sell/listings/{vape.pk}/").content.decode()
    assert 'data-testid="licence-notices"' in form


@pytest.mark.django_db
def test_the_api_shows_a_held_checkout_and_refuses_to_pay_it(reference_data):
    tea = factories.listing(factories.seller())
    buyer = denied_buyer()
    factories.cart_with(buyer, {tea: 1})
    created = factories.api_client(buyer).post("/api/v1/cart/checkout/", {}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "compliance_hold" and body["client_secret"] is None and body["provider"] is None
    paying = factories.api_client(buyer).post(f"/api/v1/checkouts/{body['reference']}/pay/", {
        "card_number": "4242424242424242", "expected_total": body["total"]}, format="json")
    assert paying.status_code == 409 and paying.json()["error"]["code"] == "compliance_hold"
    assert not Payment.objects.exists()
