"""The API's shared edges (ewtp/api.py): the error shape, the schema and its docs."""

import pytest
from django.test import Client


@pytest.mark.django_db
def test_openapi_schema_and_docs_are_served_without_a_cdn():
    client = Client()
    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")
    assert schema.status_code == 200
    assert b"/api/v1/customs/landed-cost/" in schema.content
    assert docs.status_code == 200
    assert b"cdn.jsdelivr" not in docs.content and b"unpkg.com" not in docs.content


@pytest.mark.django_db
def test_api_errors_have_one_shape():
    # when an anonymous client asks for something that needs a login
    response = Client().get("/api/v1/listings/")
    # then a 401 that says how to authenticate, in the one error shape
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
    assert response.json() == {"error": {"code": "not_authenticated", "field": None,
                                         "message": "Authentication credentials were not provided."}}
