"""Every POST of the API honours Idempotency-Key (`@idempotent`) or says why not (`idempotency_exempt`):
the URL patterns are walked (the resolver, not a hand list), and the OpenAPI schema documents the header
on each of those operations."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def api_views_with_post():
    found = []
    for route, callback in _walk(get_resolver().url_patterns):
        cls = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
        if not route.startswith("api/") or cls is None or not hasattr(cls, "post"):
            continue
        found.append((route, cls))
    return found


def test_the_walk_finds_the_apis_creating_posts():
    names = {cls.__name__ for _, cls in api_views_with_post()}
    assert {"ListingListCreateApi", "CartCheckoutApi", "CheckoutPayApi", "OrderCreateApi", "RfqListCreateApi",
            "ShipmentBookApi", "OfferAcceptApi", "MyCompanyApi", "EndpointListCreateApi"} <= names


@pytest.mark.parametrize("route, cls", api_views_with_post(), ids=lambda v: v if isinstance(v, str) else v.__name__)
def test_every_api_post_takes_an_idempotency_key_or_says_why_not(route, cls):
    exempt = getattr(cls, "idempotency_exempt", "")
    marked = getattr(cls.post, "idempotent", False)
    assert marked or exempt, (f"{cls.__name__} ({route}): decorate its post with @idempotent "
                              "(ewtp/idempotency.py), or give the view idempotency_exempt = \"why\"")
    assert not (marked and exempt), f"{cls.__name__} is both idempotent and exempt"


@pytest.mark.django_db
def test_the_schema_documents_the_header_on_every_such_post():
    from django.test import Client

    schema = Client().get("/api/schema/?format=json").json()
    # parameters compared by position only: the schema calls a route's <int:pk> {id}
    exempt = {"/" + re.sub(r"<(?:\w+:)?\w+>", "{}", route) for route, cls in api_views_with_post()
              if getattr(cls, "idempotency_exempt", "")}
    missing, posts = [], 0
    for path, operations in schema["paths"].items():
        if "post" not in operations:
            continue
        posts += 1
        headers = {p["name"] for p in operations["post"].get("parameters", []) if p["in"] == "header"}
        if "Idempotency-Key" not in headers and re.sub(r"\{\w+\}", "{}", path) not in exempt:
            missing.append(path)
    assert posts > 20 and missing == []
