"""Carrier webhook signatures: pure HMAC checks."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logistics.domain.webhooks import SignatureError, sign, verify

SECRET = "s3cret"
NOW = 1_796_000_000


@pytest.mark.parametrize(("signature", "now"), [
    (sign(SECRET, NOW, b"{}"), NOW + 10),
    (sign(SECRET, NOW, b"{}"), NOW + 300),  # the tolerance's edge, either way
    (sign(SECRET, NOW, b"{}"), NOW - 300),
    (sign(SECRET, NOW, b"{}") + "\r\n", NOW),  # a header line's trailing whitespace
])
def test_a_fresh_signature_over_the_body_is_accepted(signature, now):
    assert verify(SECRET, timestamp=str(NOW), signature=signature, body=b"{}", now=now) is None


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
    with pytest.raises(SignatureError) as refused:
        verify("", timestamp=str(NOW), signature=sign("", NOW, b""), body=b"", now=NOW)
    assert refused.value.code == "webhook_not_configured"


@given(body=st.binary(min_size=1, max_size=200), data=st.data())
def test_a_signature_fits_only_its_own_body(body, data):
    # given a body signed as the carrier signs it, and the same body with any one bit flipped
    signature = sign(SECRET, NOW, body)
    flipped = bytearray(body)
    flipped[data.draw(st.integers(0, len(body) - 1))] ^= 1 << data.draw(st.integers(0, 7))
    # then the body is accepted and the changed one refused as tampered with
    assert verify(SECRET, timestamp=str(NOW), signature=signature, body=body, now=NOW) is None
    with pytest.raises(SignatureError) as refused:
        verify(SECRET, timestamp=str(NOW), signature=signature, body=bytes(flipped), now=NOW)
    assert refused.value.code == "bad_signature"
