"""Schemathesis over the API's own OpenAPI schema (drf-spectacular's, as /api/schema/ serves it): for every
operation, requests that fit the schema and requests that break it (wrong types, missing and extra fields,
out-of-range numbers), with Unicode-heavy strings (any UTF-8 text, NUL included), as a visitor, a buyer,
a seller and the superuser, against objects that exist. Any 5xx fails the test.

Deterministic (derandomized, no example database) so CI reruns the same requests; the examples per
operation are few, the walk in test_no_server_errors.py covers the hostile values a probe found.
"""

from __future__ import annotations

import json
import re

import pytest
from django.core import signals
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.test_no_server_errors import ROLES, World

EXAMPLES = 2  # per operation, role and strategy
MODES = ("positive", "negative")


def _schema():
    import schemathesis
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    document = SchemaGenerator().get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(document, renderer_context={})))


@pytest.fixture
def wsgi_app():
    """The project's WSGI application in this thread, on the test's database connection: like Django's test
    client, it must not close the connection at the end of each request."""
    from django.core.wsgi import get_wsgi_application

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


class Errors:
    """The exception behind each 5xx, from Django's got_request_exception signal."""

    def __init__(self):
        self.last = None
        signals.got_request_exception.connect(self.record)

    def record(self, sender, request=None, **kwargs):
        import sys

        self.last = sys.exc_info()[1]


def _headers(world: World, role: str) -> dict:
    from rest_framework.authtoken.models import Token

    user = world.users[role]
    if user is None:
        return {}
    return {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}


def _path_parameters(world: World, operation) -> dict:
    """This world's objects for the operation's path ({pk} of the listing, the order, ...)."""
    route = re.sub(r"\{(\w+)\}", r"<\1>", operation.path.lstrip("/"))
    return {name: (int(value) if value.isdigit() else value) for name, value in world.kwargs(route).items()}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_no_api_operation_answers_5xx_to_generated_input(role, reference_data, wsgi_app, settings, tmp_path):
    from schemathesis.generation import GenerationMode

    # given the API's schema and a world with an object behind every path parameter
    settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "media"), str(tmp_path / "private")
    settings.CUSTOMS_AUTHORITY_DELAY_SECONDS = 0
    world = World()
    world.make()
    headers, errors, failures, counts = _headers(world, role), Errors(), [], {"operations": 0, "requests": 0}
    operations = [result.ok() for result in _schema().get_all_operations()]
    assert len(operations) > 40

    # when every operation gets generated requests, valid and invalid, with the world's ids and random ones
    for operation in operations:
        counts["operations"] += 1
        strategies = [operation.as_strategy(GenerationMode(mode), path_parameters=_path_parameters(world, operation))
                      for mode in MODES] + [operation.as_strategy(GenerationMode.NEGATIVE)]

        @hypothesis_settings(max_examples=EXAMPLES * len(strategies), derandomize=True, database=None, deadline=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=st.one_of(strategies))
        def run(case):
            counts["requests"] += 1
            errors.last = None
            with transaction.atomic():
                response = case.call(app=wsgi_app, base_url="http://testserver", headers=headers)
                transaction.set_rollback(True)
            if response.status_code >= 500:
                failures.append(f"{response.status_code} {case.method} {case.formatted_path} query={case.query!r:.80} "
                                f"body={case.body!r:.80}: {errors.last!r:.160}")

        run()

    # then none answered 5xx
    print(f"{role}: {counts['operations']} operations, {counts['requests']} requests, {len(failures)} 5xx")
    assert not failures, f"{len(failures)} of {counts['requests']} requests answered 5xx:\n" + "\n".join(failures)
