"""No 5xx on bad input, URL by URL: every URL pattern of the project is walked (the resolver, not a hand
list) as a visitor, a buyer, a seller and the superuser, with hostile values in its path arguments, in
every query parameter and form or JSON field its view reads, and in JSON bodies; any 5xx fails.

Hostile values are the ones a black-box probe found 500s with: a Unicode digit that `str.isdigit()`
accepts and `int()` refuses, a doubled sign, an exponent past float's range, CR/LF, 10 KB, NUL, emoji.
A new view that parses a number by hand, or a new query parameter, is walked the day it is routed.
"""

from __future__ import annotations

import inspect
import json
import re
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import quote

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import get_converters

from accounts.selectors import company_of
from tests import factories

# Each breaks a different parser: isdigit() but not int() (16 of them: a card number's length); a doubled sign; past float's range; Decimal's NaN; a
# sign where none belongs; a digit int() reads but a person does not type; 10 KB (past int()'s 4,300 digits and
# every column); CR/LF (headers), NUL (PostgreSQL refuses it) and emoji (four-byte UTF-8).
HOSTILE = ("²" * 16, "--5", "1e309", "NaN", "-1", "٣", "9" * 10_240, "\r\n\x00🙂")
ROLES = ("anonymous", "buyer", "seller", "staff")
CONVERTER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>|\(\?P<(?P<re_name>\w+)>[^)]*\)")
# What a view reads from a request: request.GET.get("q"), params["seller"], data.get("quantity"), ...
READS = re.compile(r"(?:GET|POST|query_params|params|data|filters|values)\s*(?:\.get\(|\.getlist\(|\[)\s*[\"'](\w+)[\"']")
# ... and names it reads in a loop: for name in ("price_min", "price_max"): params.get(name)
LOOPED = re.compile(r"for \w+ in \(([^)]*)\):")
QUOTED = re.compile(r"[\"'](\w+)[\"']")
FORM = re.compile(r"\b([A-Z]\w*(?:Form|FormSet|Serializer))\b")
PREFIX = re.compile(r"prefix=[\"'](\w+)[\"']")
# Names every page and list API may take, whether or not its own code reads them.
COMMON = ("page", "page_size", "q", "limit", "quantity", "next")
PROJECT_APPS = {"ewtp", "marketplace", "customs", "logistics", "payments", "finance", "disputes"}
REFUSED = {401, 403, 405}


def _walk(patterns, prefix: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if getattr(entry, "namespace", None) == "admin":
                continue  # Django's own admin, the superuser's alone
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


ALL_URLS = list(_walk(get_resolver().url_patterns))


def _view(callback):
    return getattr(callback, "view_class", None) or getattr(callback, "cls", None) or inspect.unwrap(callback)


def _source(target) -> str:
    try:
        return inspect.getsource(target)
    except (OSError, TypeError):
        return ""


def _fields_of(name: str, view) -> list[str]:
    """Field names of a form, formset or serializer the view names (on the view class or in its module)."""
    module = inspect.getmodule(view)
    found = getattr(view, name, None) or getattr(module, name, None)
    if found is None:
        return []
    if hasattr(found, "form"):  # a formset class
        return [f"form-0-{field}" for field in found.form.base_fields]
    if hasattr(found, "base_fields"):
        return list(found.base_fields)
    try:
        return list(found().fields)
    except Exception:  # a serializer that needs context to build its fields: its declared ones do
        return list(getattr(found, "_declared_fields", {}))


CALLS = re.compile(r"\b(?:(\w+)\.)?(\w+)\(")


def _called(view, source: str):
    """The project's functions a view calls (`selectors.catalog_filters_from(params)`, `_line(raw)`): they read
    the request's fields as often as the view itself does."""
    module = inspect.getmodule(view)
    for owner, name in set(CALLS.findall(source)):
        target = getattr(getattr(module, owner, None), name, None) if owner else getattr(module, name, None)
        if inspect.isfunction(target) and target.__module__.split(".")[0] in PROJECT_APPS:
            yield target


def field_names(callback) -> list[str]:
    """Every name the view (or a function it calls) reads from a request, and its forms' and serializers' fields
    (COMMON aside)."""
    view = _view(callback)
    source = _source(view)
    source += "".join(_source(function) for function in _called(view, source))
    names = set(READS.findall(source))
    names |= {name for loop in LOOPED.findall(source) for name in QUOTED.findall(loop)}
    forms = [field for form in set(FORM.findall(source)) for field in _fields_of(form, view)]
    names |= set(forms) | {f"{prefix}-{field}" for prefix in PREFIX.findall(source) for field in forms}
    return sorted(names)


def route_args(route: str) -> list[tuple[str, str]]:
    return [(m["name"] or m["re_name"], m["converter"] or ("re" if m["re_name"] else "str"))
            for m in CONVERTER.finditer(route)]


def accepted(converter: str, values) -> list[str]:
    """The values a path converter lets through to the view (the others are the resolver's 404)."""
    if converter == "re":
        return list(values)
    regex = re.compile(get_converters()[converter].regex)
    return [value for value in values if regex.fullmatch(value)]


def build(route: str, values: dict[str, str]) -> str:
    def one(match):
        return quote(values[match["name"] or match["re_name"]], safe="")
    return "/" + CONVERTER.sub(one, route.lstrip("^").rstrip("$"))


class World:
    """Objects the URLs act on, made through the real services: the buyer's paid order, the seller's
    listing and shipment, a quotation request, a held customs case with a document."""

    @cached_property
    def seller(self):
        return factories.seller()

    @cached_property
    def buyer(self):
        return factories.buyer(country="GB", currency="GBP")

    @cached_property
    def users(self) -> dict:
        return {"anonymous": None, "buyer": self.buyer, "seller": self.seller, "staff": factories.staff()}

    @cached_property
    def listing(self):
        return factories.listing(self.seller)

    @cached_property
    def order(self):
        from marketplace.services.checkout import order_pay, order_place

        order = order_place(buyer=self.buyer, listing_id=self.listing.pk, quantity=2)
        order_pay(buyer=self.buyer, order_id=order.pk, card_number="4242424242424242")
        return order

    @cached_property
    def shipment(self):
        from logistics.services import shipment_book
        from marketplace.services.orders import order_book_shipment

        shipment = order_book_shipment(user=self.seller, order_id=self.order.pk)
        return shipment_book(shipment_id=shipment.pk)  # the worker's part, run here

    @cached_property
    def cart_line(self):
        from marketplace.models import Cart
        from marketplace.services.cart import cart_add

        cart, _ = Cart.objects.get_or_create(user=self.buyer)
        return cart_add(cart=cart, listing_id=self.listing.pk, quantity=1)

    @cached_property
    def rfq(self):
        from marketplace.services.rfq import rfq_create

        return rfq_create(buyer=self.buyer, listing_id=self.listing.pk, quantity=20, message="Twenty tins?")

    @cached_property
    def case(self):
        from customs.models import ClearanceCase

        self.shipment  # noqa: B018  (booking opens the case)
        return ClearanceCase.objects.get(shipment_reference=self.order.reference)

    @cached_property
    def payment(self):
        from payments.models import Payment

        return Payment.objects.filter(allocations__reference=self.order.reference).get()

    @cached_property
    def advance(self):
        """The seller's advance against a paid order, a delivered order behind it (its offer accepted)."""
        from ewtp.money import Money
        from finance.services import advance_accept, advance_offer_create
        from tests.finance.conftest import backdate, complete, paid_order

        backdate(self.seller, days=400)
        complete(self.seller, paid_order(self.seller, self.buyer, 20))
        offer = advance_offer_create(user=self.seller, order_ids=[paid_order(self.seller, self.buyer).pk])
        return advance_accept(user=self.seller, offer_id=offer.pk, amount=Money("100.00", "CNY"))

    @cached_property
    def dispute(self):
        """The buyer's dispute on their paid order, with a photo, answered by the seller."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        from disputes.services import dispute_answer, dispute_open

        dispute = dispute_open(buyer=self.buyer, order_id=self.order.pk, reason="damaged", description="Crushed.",
                               files=[SimpleUploadedFile("tin.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)])
        return dispute_answer(user=self.seller, dispute_id=dispute.pk, answer="Packed well.")

    def kwargs(self, route: str) -> dict[str, str]:
        """Path arguments that name this world's objects, so the view gets past its lookup."""
        by_route = [("disputes/evidence", self.dispute.evidence.get()), ("disputes/", self.dispute),
                    ("finance/offers", self.advance.offer), ("finance/advances", self.advance),
                    ("shipments", self.shipment), ("customs/cases", self.case), ("cart/lines", self.cart_line),
                    ("rfqs", self.rfq), ("orders", self.order), ("payments/staff", self.payment),
                    ("companies", company_of(self.seller)), ("listings", self.listing), ("cart/add", self.listing)]
        pk = next((obj.pk for prefix, obj in by_route if prefix in route), 1)
        known = {"pk": str(pk), "order_id": str(self.order.pk), "photo_pk": "1", "reference": self._checkout, "code": "090210", "kind": "label",
                 "carrier": "simulated", "path": "listings/none.jpg"}
        return {name: known.get(name, "1") for name, _ in route_args(route)}

    @cached_property
    def _checkout(self) -> str:
        return self.order.checkout.reference

    def make(self) -> None:
        self.users, self.cart_line, self.rfq, self.case, self.payment, self._checkout, self.advance  # noqa: B018
        self.dispute  # noqa: B018


@dataclass
class Walk:
    requests: int = 0
    failures: list = None

    def __post_init__(self):
        self.failures = []

    def visit(self, client: Client, method: str, url: str, **kwargs) -> int:
        """One request in a savepoint rolled back afterwards, so no request changes what the next one sees."""
        self.requests += 1
        with transaction.atomic():
            response = getattr(client, method)(url, **kwargs)
            transaction.set_rollback(True)
        if response.status_code >= 500:
            exc = getattr(response, "exc_info", None)
            detail = f"{exc[0].__name__}: {str(exc[1])[:120]}" if exc else response.content[:120]
            body = str(kwargs.get("data", ""))[:80]
            self.failures.append(f"{response.status_code} {method.upper()} {url[:120]!r} {body!r}: {detail}")
        if response.status_code == 302 and "/accounts/login/" in response.get("Location", ""):
            return 401
        return response.status_code


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def _json_bodies(names: list[str], values) -> list[str]:
    """Raw JSON texts: every field a hostile string, then 1e309 (inf once parsed), a huge integer, a list, an object."""
    bodies = [json.dumps({name: value for name in names}) for value in values]
    for raw in ("1e309", "123456789012345678901234567890", "[]", "{}"):
        bodies.append("{" + ", ".join(f'"{name}": {raw}' for name in names) + "}")
    return bodies


def walk_role(world: World, role: str) -> Walk:
    walk = Walk()
    for route, callback in ALL_URLS:
        client = _client(world.users[role])  # a fresh one: an earlier URL may have logged out
        good = world.kwargs(route)
        own = field_names(callback)
        url, names = build(route, good), sorted(set(own) | set(COMMON))
        # A view that reads no field of its own gets two hostile values in the common names, not all of them.
        values = HOSTILE if own else (HOSTILE[0], HOSTILE[-1])
        # hostile path arguments, one argument at a time
        for name, converter in route_args(route):
            for value in accepted(converter, HOSTILE + ("99999999999999999999",)):
                walk.visit(client, "get", build(route, {**good, name: value}))
        # hostile query strings: each value in every name at once, then the first value in each name alone;
        # where the role is refused (login, 403, 405) one hostile request shows the refusal holds
        if walk.visit(client, "get", url, data={name: values[-1] for name in names}) not in REFUSED:
            for value in values[:-1]:
                walk.visit(client, "get", url, data={name: value for name in names})
            for name in own:
                walk.visit(client, "get", url, data={name: HOSTILE[0]})
        # hostile form posts, and JSON bodies to the API
        if walk.visit(client, "post", url, data={name: values[-1] for name in names}) not in REFUSED:
            for value in values[:-1]:
                walk.visit(client, "post", url, data={name: value for name in names})
            for name in own:
                walk.visit(client, "post", url, data={name: HOSTILE[0]})
            if route.startswith("api/"):
                for body in _json_bodies(names, values):
                    walk.visit(client, "post", url, data=body, content_type="application/json")
    return walk


def test_the_walk_sees_the_whole_project():
    routes = {route for route, _ in ALL_URLS}
    assert len(ALL_URLS) > 90
    assert {"api/v1/catalog/", "customs/console/", "cart/lines/<int:pk>/", "sell/listings/import/"} <= routes
    # the names each view reads are found in its code and its forms
    by_route = {route: callback for route, callback in ALL_URLS}
    assert {"seller", "min_value", "max_value"} <= set(field_names(by_route["customs/console/"]))
    assert {"price_min", "page_size"} <= set(field_names(by_route["api/v1/catalog/"]))
    assert "quantity" in field_names(by_route["cart/lines/<int:pk>/"])


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_no_url_answers_5xx_to_hostile_input(role, reference_data, settings, tmp_path):
    # given a world with an object behind every path argument
    settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "media"), str(tmp_path / "private")
    settings.CUSTOMS_AUTHORITY_DELAY_SECONDS = 0
    world = World()
    world.make()
    # when every URL pattern gets hostile path arguments, query strings, forms and JSON bodies
    walk = walk_role(world, role)
    # then none answers 5xx
    print(f"{role}: {len(ALL_URLS)} URL patterns, {walk.requests} requests, {len(walk.failures)} 5xx")
    assert not walk.failures, f"{len(walk.failures)} of {walk.requests} requests answered 5xx:\n" + "\n".join(
        walk.failures)



# --- the API's error shape where no API view's own code runs ------------------------------------------

def _api_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:200]
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code and error["message"] and "field" in error
    return error


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/nothing-here/", "/api/v1/customs/hs/0902/extra/", "/api/v1/²/",
                                  "/api/v1/listings/%0D%0A/", "/api/v2/catalog/"])
def test_an_unrouted_api_url_answers_404_in_the_api_shape(path):
    _api_error(Client().get(path), 404, "not_found")
    _api_error(Client().post(path, {"a": "b"}), 404, "not_found")


@pytest.mark.django_db
def test_a_page_that_does_not_exist_is_still_a_page():
    response = Client().get("/no-such-page/²/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_a_method_an_api_url_does_not_take_answers_405_in_the_api_shape():
    _api_error(factories.api_client(factories.buyer()).delete("/api/v1/catalog/"), 405, "method_not_allowed")


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/customs/landed-cost/", "/api/v1/auth/signup/", "/api/v1/cart/lines/"])
def test_json_nested_5000_levels_deep_is_a_400_in_the_api_shape(url, reference_data):
    client = factories.api_client(factories.buyer())
    for body in ('{"lines": ' + "[" * 5000 + "]" * 5000 + "}", "[" * 40 + "]" * 40, '{"a":' * 5000 + "1" + "}" * 5000):
        error = _api_error(client.post(url, body, content_type="application/json"), 400, "parse_error")
        assert "deeper than" in error["message"]


@pytest.mark.django_db
@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded"])
def test_a_body_past_the_upload_limit_is_a_413_in_the_api_shape(content_type, settings):
    # given a 4.5 MB body, past Django's 2.5 MB DATA_UPLOAD_MAX_MEMORY_SIZE
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE < 4_500_000
    body = json.dumps({"q": "x" * 4_500_000}) if content_type == "application/json" else "q=" + "x" * 4_500_000
    # then the API refuses it in its own shape, whoever asks
    for client in (factories.api_client(), factories.api_client(factories.buyer())):
        _api_error(client.post("/api/v1/customs/landed-cost/", body, content_type=content_type), 413, "too_large")
    # and a body within the limit is read as before
    response = factories.api_client(factories.buyer()).post("/api/v1/cart/lines/", {"listing": 1, "quantity": 1},
                                                            format="json")
    assert response.status_code in (400, 404) and response.json()["error"]["code"] != "too_large"


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["[]", "1.5", "false", '"note"', "null"])
def test_a_json_body_that_is_not_an_object_is_a_400_in_the_api_shape(body):
    client = factories.api_client(factories.buyer())
    error = _api_error(client.post("/api/v1/customs/landed-cost/", body, content_type="application/json"), 400,
                       "parse_error")
    assert "must be an object" in error["message"]


@pytest.mark.django_db
def test_a_nul_character_is_a_400_at_its_field_not_a_database_error(reference_data):
    # PostgreSQL text cannot hold NUL: psycopg refuses the query, which was a 500
    api = factories.api_client(factories.buyer())
    error = _api_error(api.get("/api/v1/catalog/", {"q": "tea\x00"}), 400, "invalid_character")
    assert error["field"] == "q"
    assert _api_error(api.get("/api/v1/checkouts/CHK-%00/"), 400, "invalid_character")["field"] == "path"
    error = _api_error(api.post("/api/v1/customs/landed-cost/", '{"destination": "G\\u0000B"}',
                                content_type="application/json"), 400, "parse_error")
    assert "NUL" in error["message"]
    page = factories.page_client(factories.buyer())
    assert page.post("/accounts/profile/", "full_name=Ann%00", content_type="application/x-www-form-urlencoded").status_code == 400
    assert page.get("/", {"q": "\x00"}).status_code == 400
