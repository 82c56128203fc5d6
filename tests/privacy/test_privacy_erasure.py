"""A user asks to be erased (GDPR art. 17, PIPL art. 47), confirming with their password: their personal
data is anonymised and the account closed, while the orders, ledger and customs records the law makes us
keep stay intact. Refused, changing nothing, with a wrong password, a second time, for staff, or while
orders, escrow or a seller company's balance are still open."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from accounts.models import User
from accounts.selectors import company_of
from customs.models import ClearanceCase
from ewtp.exceptions import ApplicationError, Conflict
from logistics.models import Shipment
from marketplace.models import Listing, Order, ShippingAddress
from marketplace.services.addresses import address_add
from payments.models import LedgerEntry
from payments.selectors import ledger_check
from privacy.models import ErasureRequest
from privacy.services import OpenObligations, erasure_request
from tests import factories
from tests.factories import PASSWORD, api_client, page_client

pytestmark = pytest.mark.django_db
ACCOUNT_FIELDS = ("email", "full_name", "address_line", "city", "postcode", "country", "is_active", "password")


def snapshot(user) -> dict:
    fresh = User.objects.get(pk=user.pk)
    return {name: getattr(fresh, name) for name in ACCOUNT_FIELDS} | {
        "addresses": ShippingAddress.objects.filter(user=user).count(),
        "tokens": Token.objects.filter(user=user).count(), "erasures": ErasureRequest.objects.count(),
        "ledger": list(LedgerEntry.objects.values_list("id", "account", "amount", "currency").order_by("id"))}


def test_an_erased_buyer_is_anonymised_and_can_no_longer_sign_in_while_the_records_stay(completed_order):
    seller, buyer, order = completed_order
    address_add(user=buyer, name=buyer.full_name, line="1 Baker Street", city="London", country="GB")
    Token.objects.create(user=buyer)
    email, name = buyer.email, buyer.full_name
    case = ClearanceCase.objects.get(shipment_reference=order.reference)
    ledger_before = list(LedgerEntry.objects.values_list("id", "account", "amount", "currency").order_by("id"))
    client, other_device = page_client(buyer), page_client(buyer)
    assert other_device.get("/accounts/profile/").status_code == 200

    # when the buyer erases their account from "Your data", with their password
    response = client.post("/accounts/privacy/", {"password": PASSWORD, "confirm": "on"})

    # then they are signed out and told, and their account holds nothing of them
    assert response.status_code == 302 and response.url == "/"
    assert "_auth_user_id" not in client.session
    user = User.objects.get(pk=buyer.pk)
    assert user.email.endswith("@erased.invalid") and user.email != email
    assert (user.full_name, user.address_line, user.city, user.postcode, user.country) == ("", "", "", "", "")
    assert not user.is_active and not user.has_usable_password()
    assert not ShippingAddress.objects.filter(user=user).exists() and not Token.objects.filter(user=user).exists()
    # and their session on another device has ended too
    assert other_device.get("/accounts/profile/").status_code == 302
    # and they can no longer sign in, by the page or the API, with the old email or the placeholder
    for username in (email, user.email):
        login = Client().post("/accounts/login/", {"username": username, "password": PASSWORD})
        assert login.status_code == 200 and "_auth_user_id" not in login.wsgi_request.session
    assert api_client().post("/api/v1/auth/token/", {"username": email, "password": PASSWORD},
                             format="json").status_code == 400
    # while the order (an invoice), the ledger and the customs case stay exactly as they were
    kept = Order.objects.get(pk=order.pk)
    assert kept.buyer_id == user.pk and kept.ship_name == name and kept.status == "completed"
    assert list(LedgerEntry.objects.values_list("id", "account", "amount", "currency").order_by("id")) == ledger_before
    report = ledger_check()
    assert report.ok, report.problems
    after = ClearanceCase.objects.get(pk=case.pk)
    assert (after.declaration, after.assessment, after.status) == (case.declaration, case.assessment, case.status)
    assert Shipment.objects.get(order_reference=order.reference).recipient["name"] == name
    # and staff see the request, with how long the records are kept
    erasure = ErasureRequest.objects.get(user=user)
    assert erasure.status == "erased" and erasure.summary["kept"]["orders"] == 1
    assert erasure.customs_retained_until < erasure.accounting_retained_until
    admin = page_client(factories.staff()).get("/admin/privacy/erasurerequest/")
    assert admin.status_code == 200 and user.email in admin.content.decode()
    assert email not in admin.content.decode()


def test_a_second_erasure_is_refused_and_changes_nothing(completed_order):
    _, buyer, _ = completed_order
    erasure_request(user=buyer, password=PASSWORD)
    before = snapshot(buyer)
    with pytest.raises(Conflict) as again:
        erasure_request(user=User.objects.get(pk=buyer.pk), password=PASSWORD)
    assert again.value.code == "already_erased"
    assert snapshot(buyer) == before
    # the API says the same in the error shape
    response = api_client(User.objects.get(pk=buyer.pk)).post("/api/v1/privacy/erasure/", {"password": PASSWORD},
                                                                format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "already_erased"
    assert snapshot(buyer) == before


@pytest.mark.parametrize(("body", "code", "field"), [
    ({}, "required", "password"),
    ({"password": ""}, "blank", "password"),
    ({"password": "not-my-password"}, "wrong_password", "password"),
    ({"password": "x" * 129}, "max_length", "password"),
])
def test_bad_input_to_the_api_is_refused_at_the_field_and_changes_nothing(completed_order, body, code, field):
    _, buyer, _ = completed_order
    before = snapshot(buyer)
    response = api_client(buyer).post("/api/v1/privacy/erasure/", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code and response.json()["error"]["field"] == field
    assert snapshot(buyer) == before


def test_the_page_refuses_a_wrong_password_or_no_confirmation_at_the_field(completed_order):
    _, buyer, _ = completed_order
    before = snapshot(buyer)
    client = page_client(buyer)
    wrong = client.post("/accounts/privacy/", {"password": "not-my-password", "confirm": "on"})
    assert wrong.status_code == 400 and "The password is not right." in wrong.content.decode()
    unconfirmed = client.post("/accounts/privacy/", {"password": PASSWORD})
    assert unconfirmed.status_code == 400 and "Tick the box to confirm." in unconfirmed.content.decode()
    assert snapshot(buyer) == before and client.get("/accounts/privacy/").status_code == 200


def test_a_buyer_with_an_order_under_way_is_told_what_stands_in_the_way(paid_order):
    _, buyer, order = paid_order
    before = snapshot(buyer)
    # the page says so before they try
    page = page_client(buyer).get("/accounts/privacy/").content.decode()
    assert 'data-testid="obligations"' in page and order.reference in page
    # and the API refuses with the list, changing nothing
    assert api_client(buyer).get("/api/v1/privacy/erasure/").json()["can_erase"] is False
    response = api_client(buyer).post("/api/v1/privacy/erasure/", {"password": PASSWORD}, format="json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "open_obligations"
    assert any(order.reference in o and "under way" in o for o in error["obligations"])
    assert any(o.startswith("Escrow still holds") for o in error["obligations"])
    assert snapshot(buyer) == before


def test_a_seller_whose_company_has_orders_or_an_unsettled_balance_is_refused(paid_order):
    seller, _, order = paid_order
    before = snapshot(seller)
    with pytest.raises(OpenObligations) as refused:
        erasure_request(user=seller, password=PASSWORD)
    assert any("1 order(s) under way" in o for o in refused.value.obligations)
    assert snapshot(seller) == before
    assert Listing.objects.filter(company=company_of(seller), status="published").exists()


def test_an_erased_seller_who_ran_the_company_alone_leaves_the_catalog(completed_order):
    seller, buyer, order = completed_order
    company = company_of(seller)
    erasure_request(user=seller, password=PASSWORD)
    company.refresh_from_db()
    assert (company.contact_name, company.contact_email, company.contact_phone) == ("", "", "")
    assert not Listing.objects.filter(company=company, status="published").exists()
    # the company's record (legal name, address) and its orders are kept
    assert company.legal_name and company.address and Order.objects.filter(company=company).count() == 1
    assert ledger_check().ok


def test_staff_accounts_are_closed_by_an_administrator_not_erased(db):
    officer = factories.officer()
    with pytest.raises(OpenObligations) as refused:
        erasure_request(user=officer, password=PASSWORD)
    assert "staff role" in refused.value.obligations[0]
    assert User.objects.get(pk=officer.pk).is_active


def test_a_user_with_nothing_open_is_erased_at_once_and_the_page_says_so(db):
    user = factories.buyer()
    with pytest.raises(ApplicationError):
        erasure_request(user=user, password="")
    response = page_client(user).post("/accounts/privacy/", {"password": PASSWORD, "confirm": "on"}, follow=True)
    assert "Your account is closed" in response.content.decode()
    assert ErasureRequest.objects.filter(user=user).exists()


def test_the_page_and_its_refusals_read_in_chinese(paid_order):
    _, buyer, order = paid_order
    client = page_client(buyer)
    page = client.get("/accounts/privacy/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "我的数据" in page and "下载我的数据" in page and "删除我的账户" in page
    assert f"订单 {order.reference} 仍在进行中" in page
    refused = client.post("/accounts/privacy/", {"password": PASSWORD, "confirm": "on"},
                          HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert refused.status_code == 400 and "您的数据暂时无法删除。" in refused.content.decode()
    wrong = client.post("/accounts/privacy/", {"password": "nope", "confirm": "on"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "密码不正确。" in wrong.content.decode()
