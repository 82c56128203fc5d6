"""The API's request parsers (REST_FRAMEWORK's DEFAULT_PARSER_CLASSES): DRF's own read the raw stream, past
Django's DATA_UPLOAD_MAX_MEMORY_SIZE, and Python's JSON parser recurses until it fails (a 500). These
refuse a body past the limit (413) and JSON nested too deep (400), which the exception handler in
ewtp/api.py turns into the API's error shape."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.http import QueryDict
from rest_framework import exceptions, parsers
from rest_framework.utils import json


class TooLarge(exceptions.APIException):
    status_code = 413
    default_code = "too_large"
    default_detail = "The request body is too large."


# JSON deeper than this is no request of ours; Python's parser would recurse until it fails (a 500).
MAX_JSON_DEPTH = 32


def _read_body(stream) -> bytes:
    """The body, at most DATA_UPLOAD_MAX_MEMORY_SIZE bytes (DRF's parsers read the raw stream, past Django's limit)."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = stream.read() if limit is None else stream.read(limit + 1)
    if limit is not None and len(body) > limit:
        raise TooLarge(f"The request body is larger than {limit:,} bytes.")
    return body


def _check_shape(data) -> None:
    """Refuse JSON nested deeper than MAX_JSON_DEPTH, or with a NUL in a string (PostgreSQL text cannot hold it)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise exceptions.ParseError("Text may not contain NUL (\\u0000) characters.")
        elif isinstance(value, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                raise exceptions.ParseError(f"JSON nests deeper than {MAX_JSON_DEPTH} levels.")
            items = [*value.keys(), *value.values()] if isinstance(value, dict) else value
            stack.extend((item, depth + 1) for item in items)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with a size limit (413), a depth limit, no NUL and an object at the top (400)."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            data = json.loads(_read_body(stream).decode(encoding),
                              parse_constant=json.strict_constant if self.strict else None)
        except RecursionError as exc:
            raise exceptions.ParseError(f"JSON nests deeper than {MAX_JSON_DEPTH} levels.") from exc
        except ValueError as exc:  # bad JSON, bad encoding
            raise exceptions.ParseError(f"JSON parse error - {exc}") from exc
        _check_shape(data)
        if not isinstance(data, dict):  # every operation of ours takes an object; views call request.data.get()
            raise exceptions.ParseError("The JSON body must be an object, e.g. {\"note\": \"...\"}.")
        return data


class FormParser(parsers.FormParser):
    """DRF's form parser with Django's limits on size and field count."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            return QueryDict(_read_body(stream), encoding=encoding)
        except TooManyFieldsSent as exc:
            raise exceptions.ParseError("Too many form fields.") from exc


class MultiPartParser(parsers.MultiPartParser):
    """DRF's multipart parser, whose text fields may not hold NUL (400)."""

    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        for key, values in parsed.data.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                raise exceptions.ParseError("Text may not contain NUL (0x00) characters.")
        return parsed
