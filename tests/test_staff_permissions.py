"""Least privilege, URL by URL: every URL pattern of the project is walked (the resolver, not a hand
list); each staff URL must declare the permission it needs, and is visited with every role.

A staff URL is one whose view declares a permission (`ewtp.views.permission_required`,
`shared_with_staff`, `ewtp.api.HasPermission`) or looks like one (its path says staff, console or
ledger, or its code checks `has_perm`, `is_staff` or `is_superuser`): those must declare one, so a new
staff page written with an ad-hoc check fails here until it declares its permission and gets a row.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from ewtp.models import StaffAction
from tests import factories
from tests.customs.conftest import drive, open_case

ROLES = ("anonymous", "buyer", "seller", "officer", "finance", "compliance", "disputes", "superuser")
# A permission each role holds (the superuser holds them all).
HOLDERS = {"customs.decide_clearancecase": {"officer"},
           "payments.view_payment": {"finance"}, "payments.refund_payment": {"finance"},
           "payments.view_payout": {"finance"}, "payments.view_ledgertransaction": {"finance"},
           "accounts.verify_company": {"compliance"}, "finance.view_advance": {"finance"},
           "duties.view_authoritysettlement": {"finance"},
           "marketplace.review_compliancehold": {"compliance"},
           "disputes.decide_dispute": {"disputes"}}
STAFF_LOOKING_PATH = re.compile(r"staff|console|ledger")
STAFF_LOOKING_CODE = re.compile(r"has_perm|is_staff|is_superuser|IsAdminUser")
PDF = b"%PDF-1.4\n%%EOF\n"
SILK = [{"description": "Silk batik panel", "hs_code": "500720", "quantity": 1, "unit_value": "9000.00",
         "origin": "CN", "net_weight_kg": "1.2"}]


# --- walking the URL patterns ---------------------------------------------------------------------

def _walk(patterns, prefix: str = "", namespace: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # Django's admin: is_staff and model permissions; only the superuser is staff
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else (
                entry.namespace or namespace)
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or "")
            yield prefix + str(entry.pattern), name, entry.callback


def _view_class(callback):
    return getattr(callback, "view_class", None) or getattr(callback, "cls", None)


def declared(callback) -> dict | None:
    """{"GET": perm, "POST": perm[, "owners": True]} the view declares, or None."""
    if getattr(callback, "required_permissions", None):
        return callback.required_permissions
    cls = _view_class(callback)
    if cls is None:
        return None
    if getattr(cls, "required_permissions", None):
        return cls.required_permissions
    perms = [getattr(p, "required_permission", None) for p in getattr(cls, "permission_classes", [])]
    perms = [p for p in perms if p]
    return {"GET": perms[0], "POST": perms[0]} if perms else None


def _source(callback) -> str:
    target = _view_class(callback) or inspect.unwrap(callback)
    try:
        return inspect.getsource(target)
    except (OSError, TypeError):
        return ""


def looks_staff(route: str, callback) -> bool:
    return bool(STAFF_LOOKING_PATH.search(route) or STAFF_LOOKING_CODE.search(_source(callback)))


ALL_URLS = list(_walk(get_resolver().url_patterns))
STAFF_URLS = sorted({name: (route, cb) for route, name, cb in ALL_URLS
                     if declared(cb) or looks_staff(route, cb)}.items())


def test_the_walk_sees_the_whole_project():
    names = {name for _route, name, _cb in ALL_URLS}
    assert len(ALL_URLS) > 60
    assert {"payments:ledger", "customs:console", "api-case-release", "marketplace:company_review"} <= names


def test_every_staff_url_declares_its_permission():
    undeclared = [f"{name} ({route})" for name, (route, cb) in STAFF_URLS if declared(cb) is None]
    assert undeclared == [], "these staff URLs check no declared permission"
    unknown = {perm for _name, (_route, cb) in STAFF_URLS for key, perm in declared(cb).items()
               if key != "owners" and perm not in HOLDERS}
    assert unknown == set(), "a permission no role holds: add it to ewtp/roles.py and HOLDERS"


# --- the world each URL is visited in --------------------------------------------------------------

class World:
    """What the staff URLs act on, made through the real services on first use; the role users own none of it."""

    @cached_property
    def users(self) -> dict:
        return {"anonymous": None, "buyer": factories.buyer(), "seller": factories.seller(legal_name="Other Co"),
                "officer": factories.officer(), "finance": factories.finance(),
                "compliance": factories.compliance(), "disputes": factories.dispute_staff(),
                "superuser": factories.staff()}

    @cached_property
    def payment(self):
        from marketplace.models import Cart
        from marketplace.services.cart import cart_add
        from marketplace.services.checkout import cart_checkout, checkout_pay
        from payments.models import Payment

        buyer = factories.buyer()
        cart = Cart.objects.create(user=buyer)
        cart_add(cart=cart, listing_id=factories.listing(factories.seller()).pk, quantity=1)
        checkout = cart_checkout(buyer=buyer)
        checkout_pay(buyer=buyer, reference=checkout.reference, card_number="4242424242424242")
        return Payment.objects.get(reference=checkout.reference)

    @cached_property
    def company(self):
        from accounts.services import company_create

        owner = factories.user(country="DE")
        return company_create(owner=owner, legal_name="Pending Teehaus GmbH", country="DE", city="Berlin",
                              address="Torstraße 45", currency="EUR",
                              business_licence=SimpleUploadedFile("l.pdf", PDF))

    @cached_property
    def hold(self):
        """A checkout held for compliance: its buyer's name is on OFAC's SDN list (entry 24283)."""
        from marketplace.models import ComplianceHold
        from marketplace.services.checkout import order_place

        buyer = factories.buyer(country="GB", currency="GBP", full_name="Oleg Vladimirovich Deripaska")
        order = order_place(buyer=buyer, listing_id=factories.listing(factories.seller()).pk, quantity=1)
        return ComplianceHold.objects.get(checkout_id=order.checkout_id)

    @cached_property
    def case(self):
        """A held case (high value, under the four-eyes limit) with a document its seller uploaded."""
        from customs import services

        case = open_case(lines=SILK, company_id=987654, buyer_id=987654)
        drive(case.pk)
        services.case_request_documents(case_id=case.pk, officer=factories.officer(), kinds=["commercial_invoice"],
                                        message="Send the invoice.")
        services.case_document_upload(case_id=case.pk, company_id=987654, user=None, kind="commercial_invoice",
                                      upload=SimpleUploadedFile("invoice.pdf", PDF))
        drive(case.pk)
        case.refresh_from_db()
        assert case.status == "held"
        return case

    @cached_property
    def document(self):
        return self.case.documents.get()

    @cached_property
    def advance(self):
        """A seller's advance against a paid order (its seller is none of the role users)."""
        from ewtp.money import Money
        from finance.services import advance_accept, advance_offer_create
        from tests.finance.conftest import paid_order, seasoned_seller

        seller, buyer = seasoned_seller(legal_name="Financed Tea Co.")
        offer = advance_offer_create(user=seller, order_ids=[paid_order(seller, buyer).pk])
        return advance_accept(user=seller, offer_id=offer.pk, amount=Money("100.00", "CNY"))

    @cached_property
    def tax_invoice(self):
        """The tax invoice of VAT charged at a sale to Berlin under IOSS (buyer and seller are none of the role users)."""
        from django.test import override_settings

        from duties.services import tax_invoice_issue
        from tests.finance.conftest import paid_order

        with override_settings(CUSTOMS_IOSS_NUMBER="IM2760000123"):
            order = paid_order(factories.seller(legal_name="Invoiced Tea Co."), factories.buyer(), quantity=1)
            return tax_invoice_issue(reference=order.reference)

    @cached_property
    def dispute(self):
        """An answered dispute with the buyer's photo, on a delivered order of a seller none of the roles is."""
        from disputes.services import dispute_answer, dispute_open
        from tests.finance.conftest import deliver, paid_order

        seller, buyer = factories.seller(legal_name="Disputed Tea Co."), factories.buyer()
        order = deliver(seller, paid_order(seller, buyer))
        dispute = dispute_open(buyer=buyer, order_id=order.pk, reason="damaged", description="Crushed tins.",
                               files=[SimpleUploadedFile("tin.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)])
        return dispute_answer(user=seller, dispute_id=dispute.pk, answer="Packed well.")

    @cached_property
    def evidence(self):
        return self.dispute.evidence.get()

    @cached_property
    def returning(self):
        """A dispute decided as a return, its seller-bound shipment booked (its label printable)."""
        from disputes.services import dispute_answer, dispute_decide, dispute_open
        from logistics.selectors import return_shipment_for_order
        from logistics.services import shipment_book
        from marketplace.services.orders import order_book_shipment, order_follow_shipment
        from tests.finance.conftest import paid_order

        seller, buyer = factories.seller(legal_name="Returned Tea Co."), factories.buyer()
        order = paid_order(seller, buyer)
        shipment_book(shipment_id=order_book_shipment(user=seller, order_id=order.pk).pk)
        order_follow_shipment(reference=order.reference, shipment_status="delivered")
        dispute = dispute_open(buyer=buyer, order_id=order.pk, reason="not_as_described", description="Wrong tea.")
        dispute_answer(user=seller, dispute_id=dispute.pk, answer="It is the tea listed.")
        dispute = dispute_decide(staff=factories.dispute_staff(), dispute_id=dispute.pk, outcome="return",
                                 note="Send it back for a refund.")
        shipment_book(shipment_id=return_shipment_for_order(order.reference).pk)
        return dispute


@dataclass
class Row:
    """How to visit one staff URL: method, URL kwargs and data from the world, and how its success shows."""

    method: str = "GET"
    kwargs: object = lambda w: {}  # noqa: E731
    data: object = lambda w: {}  # noqa: E731
    api: bool = False
    marker: object = None  # owners' lists: what others must not see
    ok: set = field(default_factory=lambda: {200})
    done: object = None  # world -> bool: the action's effect happened


def _case(w):
    return {"pk": w.case.pk}


def _dispute_status(w):
    w.dispute.refresh_from_db()
    return w.dispute.status


def _status(w):
    w.case.refresh_from_db()
    return w.case.status


ROWS = {
    "customs:console": Row(),
    "customs:dashboard": Row(),
    "customs:case_detail": Row(kwargs=_case),
    "customs:case_decide": Row("POST", _case, lambda w: {"action": "release", "reason": "Checked the invoice."},
                               ok={302}, done=lambda w: _status(w) != "held"),
    "customs:document_download": Row(kwargs=lambda w: {"pk": w.document.pk}),
    "payments:payment_list": Row(),
    "payments:payment_detail": Row(kwargs=lambda w: {"pk": w.payment.pk}),
    "payments:refund_list": Row(),
    "payments:payout_list": Row(),
    "payments:ledger": Row(),
    "marketplace:company_review_list": Row(),
    "marketplace:company_review": Row(kwargs=lambda w: {"pk": w.company.pk}),
    "marketplace:company_licence": Row(kwargs=lambda w: {"pk": w.company.pk}),
    "api-cases": Row(api=True, marker=lambda w: w.case.shipment_reference),
    "api-case-detail": Row(kwargs=_case, api=True),
    "api-case-release": Row("POST", _case, lambda w: {"note": "ok"}, api=True, done=lambda w: _status(w) != "held"),
    "api-case-reject": Row("POST", _case, lambda w: {"reason": "Undervalued silk."}, api=True),
    "api-case-assign": Row("POST", _case, api=True),
    "api-case-note": Row("POST", _case, lambda w: {"note": "Called the seller."}, api=True, ok={201}),
    "api-case-retry": Row("POST", _case, api=True, ok={200, 409}),  # 409: no failed step to retry
    "api-case-document-request": Row("POST", _case, lambda w: {"kinds": ["licence"], "message": "Send it."},
                                     api=True, ok={201}),
    "api-clearance-dashboard": Row(api=True),
    # the world's case is high value: its H7 declaration is refused (422) with its violations, to officers only
    "api-case-declaration-h7": Row(kwargs=_case, api=True, ok={422}),
    "api-declarations-h7": Row(data=lambda w: {"from": "2026-01-01", "to": "2026-01-31"}, api=True),
    "api-case-declaration-wco": Row(kwargs=_case, api=True, ok={200, 422}),
    "api-declarations-wco": Row(data=lambda w: {"from": "2026-01-01", "to": "2026-01-31"}, api=True),
    "api-company-review": Row(api=True, marker=lambda w: w.company.legal_name),
    "api-company-verify": Row("POST", lambda w: {"pk": w.company.pk}, lambda w: {"approve": True}, api=True,
                              done=lambda w: w.company.__class__.objects.get(pk=w.company.pk).is_verified),
    "marketplace:compliance_hold_list": Row(marker=lambda w: w.hold.checkout.reference),
    "marketplace:compliance_hold_detail": Row(kwargs=lambda w: {"pk": w.hold.pk}),
    "finance:exposure": Row(),
    "finance:advance": Row(kwargs=lambda w: {"pk": w.advance.pk}),
    "api-finance-exposure": Row(api=True),
    "duties:settlements": Row(),
    "duties:vat_return": Row(),
    "duties:vat_return_csv": Row(),
    "duties:invoice_download": Row(kwargs=lambda w: {"pk": w.tax_invoice.pk}),
    "disputes:queue": Row(),
    "disputes:detail": Row(kwargs=lambda w: {"pk": w.dispute.pk}),
    "disputes:evidence": Row(kwargs=lambda w: {"pk": w.evidence.pk}),
    "disputes:return_label": Row(kwargs=lambda w: {"pk": w.returning.pk}),
    "disputes:decide": Row("POST", lambda w: {"pk": w.dispute.pk}, lambda w: {
        "outcome": "reject", "note": "The photos show no damage."}, ok={302}, done=lambda w: _dispute_status(w) == "rejected"),
    "api-disputes-queue": Row(api=True, marker=lambda w: w.dispute.order_reference),
    "api-dispute-detail": Row(kwargs=lambda w: {"pk": w.dispute.pk}, api=True),
    "api-dispute-decide": Row("POST", lambda w: {"pk": w.dispute.pk}, lambda w: {
        "outcome": "reject", "note": "The photos show no damage."}, api=True,
        done=lambda w: _dispute_status(w) == "rejected"),
}
# Staff actions whose POST the page views take (beside their GET row).
POSTS = {
    "payments:payment_detail": Row("POST", lambda w: {"pk": w.payment.pk}, lambda w: {
        "order": w.payment.allocations.get().reference, "amount": "1.00", "reason": "Arrived damaged"}, ok={302},
        done=lambda w: StaffAction.objects.filter(action="payment.refund").exists()
        and w.payment.__class__.objects.get(pk=w.payment.pk).refunded_amount == Decimal("1.00")),
    "marketplace:company_review": Row("POST", lambda w: {"pk": w.company.pk}, lambda w: {
        "decision": "verify", "reason": ""}, ok={302},
        done=lambda w: StaffAction.objects.filter(action="company.verify", target=f"company {w.company.pk}").exists()),
    "marketplace:compliance_hold_detail": Row("POST", lambda w: {"pk": w.hold.pk}, lambda w: {
        "decision": "clear", "reason": "A different person."}, ok={302},
        done=lambda w: w.hold.__class__.objects.get(pk=w.hold.pk).status == "cleared"),
}


def test_every_staff_url_has_a_row():
    assert sorted(name for name, _ in STAFF_URLS) == sorted(ROWS), "add a Row for each new staff URL"


def _visit(world: World, role: str, row: Row, route_name: str):
    from django.test import Client
    from rest_framework.test import APIClient

    client = APIClient() if row.api else Client()
    if world.users[role] is not None:
        client.force_login(world.users[role])
    url = reverse(route_name, kwargs=row.kwargs(world))
    data = row.data(world)
    if row.method == "GET":
        return client.get(url, data)
    return client.post(url, data, format="json") if row.api else client.post(url, data)


def _outcome(world: World, role: str, row: Row, route_name: str, perms: dict) -> str:
    """'login', 'refused', 'hidden' or 'ok' for one role, in a savepoint rolled back afterwards."""
    with transaction.atomic():
        response = _visit(world, role, row, route_name)
        status = response.status_code
        if status == 302 and "/accounts/login/" in response.get("Location", ""):
            result = "login"
        elif status in (401, 403) and role == "anonymous":
            result = "login"
        elif status == 403:
            result = "refused"
        elif status == 404 or (row.marker and status == 200 and row.marker(world) not in response.content.decode()):
            result = "hidden"
        elif status in row.ok and (row.done is None or row.done(world)):
            result = "ok"
        else:
            result = f"unexpected {status}"
        transaction.set_rollback(True)
    return result


def _expected(role: str, perm: str, owners: bool) -> str:
    if role == "anonymous":
        return "login"
    if role == "superuser" or role in HOLDERS[perm]:
        return "ok"
    return "hidden" if owners else "refused"


@pytest.mark.django_db
@pytest.mark.parametrize("route_name", [name for name, _ in STAFF_URLS] + [f"{n} POST" for n in POSTS])
def test_each_role_gets_only_the_staff_urls_of_its_role(route_name, reference_data, settings):
    settings.CUSTOMS_AUTHORITY_DELAY_SECONDS = 0
    # given the world the URL acts on, and each role's user
    name, _, _post = route_name.partition(" ")
    row = POSTS[name] if _post else ROWS[name]
    perms = declared(dict(STAFF_URLS)[name][1])
    world = World()
    world.users  # noqa: B018  (the world is made before the savepoints each visit rolls back)
    row.kwargs(world), row.data(world), row.marker and row.marker(world)
    # when each role visits it, then only its role (and the superuser) gets it
    got = {role: _outcome(world, role, row, name, perms) for role in ROLES}
    wanted = {role: _expected(role, perms[row.method], perms.get("owners", False)) for role in ROLES}
    assert got == wanted


@pytest.mark.django_db
def test_the_officer_opens_no_money_or_company_page_and_refunds_nobody(reference_data):
    # given the demo's roles: the customs officer is not staff any more
    officer, world = factories.officer(), World()
    assert not officer.is_staff
    client = factories.page_client(officer)
    # then the payments console, the ledger and company verification refuse the officer
    for url in ("/payments/staff/", "/payments/ledger/", "/payments/staff/payouts/", "/staff/companies/",
                f"/payments/staff/{world.payment.pk}/"):
        assert client.get(url).status_code == 403, url
    response = client.post(f"/payments/staff/{world.payment.pk}/", {
        "order": world.payment.allocations.get().reference, "reason": "mine"})
    assert response.status_code == 403
    world.payment.refresh_from_db()
    assert world.payment.refunded_amount == 0 and not StaffAction.objects.filter(action="payment.refund").exists()
    # and the Django admin is the superuser's alone
    assert client.get("/admin/").status_code == 302
    assert factories.page_client(factories.staff()).get("/admin/").status_code == 200


@pytest.mark.django_db
def test_staff_actions_leave_an_audit_record_the_superuser_reads(reference_data):
    # given a finance officer's refund and a compliance officer's verification
    from accounts.services import company_verify
    from payments import services as payments

    world, finance, compliance = World(), factories.finance(), factories.compliance()
    reference = world.payment.allocations.get().reference
    payments.payment_refund_by_staff(staff=finance, reference=reference, reason="Arrived damaged")
    company_verify(company=world.company, staff=compliance, approve=True)
    # then each is recorded with who did what, to which record, why
    refund = StaffAction.objects.get(action="payment.refund")
    verify = StaffAction.objects.get(action="company.verify", target=f"company {world.company.pk}")
    assert (refund.actor, refund.action, refund.target) == (finance, "payment.refund", f"order {reference}")
    assert refund.detail["reason"] == "Arrived damaged" and refund.detail["currency"] == world.payment.currency
    assert Decimal(refund.detail["amount"]) == world.payment.allocations.get().amount
    assert (verify.actor_email, verify.action) == (compliance.email, "company.verify")
    # and the superuser reads them in the admin, nobody else, and nobody edits them
    admin = factories.page_client(factories.staff())
    page = admin.get("/admin/ewtp/staffaction/").content.decode()
    assert finance.email in page and compliance.email in page
    assert factories.page_client(finance).get("/admin/ewtp/staffaction/").status_code == 302
    with pytest.raises(ValueError):
        refund.save()
