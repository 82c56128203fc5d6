"""Carrier webhook signatures: pure HMAC checks."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logistics.domain.webhooks import SignatureError, sign, verify

SECRET = "s3cret"
NOW = 1_796_000_000


def test_a_fresh_signature_over_the_body_is_accepted():
    verify(SECRET, timestamp=str(NOW), signature=sign(SECRET, NOW, b"{}"), body=b"{}", now=NOW + 10)


@pytest.mark.parametrize(("timestamp", "signature", "body", "code"), [
    (str(NOW), sign("other", NOW, b"{}"), b"{}", "bad_signature"),
    (str(NOW), sign(SECRET, NOW, b"{}"), b"{ }", "bad_signature"),
    (str(NOW + 1), sign(SECRET, NOW, b"{}"), b"{}", "bad_signature"),  # the time is signed too
    (str(NOW - 301), sign(SECRET, NOW - 301, b"{}"), b"{}", "stale_timestamp"),
    (str(NOW + 301), sign(SECRET, NOW + 301, b"{}"), b"{}", "stale_timestamp"),
    (None, sign(SECRET, NOW, b"{}"), b"{}", "missing_signature"),
    (str(NOW), None, b"{}", "missing_signature"),
    ("yesterday", "sha256=00", b"{}", "bad_timestamp"),
])
def test_forged_tampered_and_stale_pushes_are_refused(timestamp, signature, body, code):
    with pytest.raises(SignatureError) as refused:
        verify(SECRET, timestamp=timestamp, signature=signature, body=body, now=NOW)
    assert refused.value.code == code


def test_no_secret_refuses_everything():
    with pytest.raises(SignatureError):
        verify("", timestamp=str(NOW), signature=sign("", NOW, b""), body=b"", now=NOW)


@given(st.binary(max_size=200), st.binary(min_size=1, max_size=200))
def test_a_signature_fits_only_its_own_body(body, other):
    if body != other:
        with pytest.raises(SignatureError):
            verify(SECRET, timestamp=str(NOW), signature=sign(SECRET, NOW, body), body=other, now=NOW)
