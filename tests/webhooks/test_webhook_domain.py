"""The signature rule and the URL rule, by themselves."""

import pytest

from webhooks.domain import schedule, signature
from webhooks.domain.targets import TargetRefused, check_addresses, check_url, is_public

BODY = b'{"id":"evt_1","type":"order.paid"}'


def test_a_signature_verifies_with_its_secret_and_body():
    value = signature.header(["whsec_a"], 1_767_225_600, BODY)
    assert value.startswith("t=1767225600,v1=")
    assert signature.verify(value, BODY, "whsec_a", now=1_767_225_700) == 1_767_225_600


@pytest.mark.parametrize("body, secret, now, why", [
    (BODY + b" ", "whsec_a", 1_767_225_600, "matches"),  # the body was changed
    (BODY, "whsec_b", 1_767_225_600, "matches"),  # another secret
    (BODY, "whsec_a", 1_767_225_600 + 301, "tolerance"),  # too old: a replayed capture
    (BODY, "whsec_a", 1_767_225_600 - 301, "tolerance"),
])
def test_a_changed_body_another_secret_or_an_old_timestamp_is_refused(body, secret, now, why):
    value = signature.header(["whsec_a"], 1_767_225_600, BODY)
    with pytest.raises(signature.SignatureError, match=why):
        signature.verify(value, body, secret, now=now)


@pytest.mark.parametrize("value", [None, "", "v1=abc", "t=1767225600", "t=soon,v1=abc"])
def test_a_malformed_header_is_refused(value):
    with pytest.raises(signature.SignatureError):
        signature.verify(value, BODY, "whsec_a", now=1_767_225_600)


def test_during_a_rotation_either_secret_verifies():
    value = signature.header(["whsec_new", "whsec_old"], 1_767_225_600, BODY)
    for secret in ("whsec_new", "whsec_old"):
        assert signature.verify(value, BODY, secret, now=1_767_225_600)


def test_the_default_schedule_backs_off_exponentially_for_about_three_days():
    waits = schedule.DEFAULT_SCHEDULE
    assert all(b == 2 * a for a, b in zip(waits, waits[1:], strict=False))
    assert 2.5 * 86400 < sum(waits) < 3.5 * 86400
    assert schedule.next_wait(waits, 1) == 60 and schedule.next_wait(waits, len(waits) + 1) is None


@pytest.mark.parametrize("url, allow_local, ok", [
    ("https://hooks.example.com/ewtp", False, True),
    ("http://hooks.example.com/ewtp", False, False),  # production wants https
    ("http://localhost:8000/hooks", True, True),
    ("ftp://hooks.example.com/", True, False),
    ("https://user:pw@hooks.example.com/", False, False),
    ("https:///nohost", False, False),
])
def test_url_rules(url, allow_local, ok):
    if ok:
        check_url(url, allow_local=allow_local)
    else:
        with pytest.raises(TargetRefused):
            check_url(url, allow_local=allow_local)


@pytest.mark.parametrize("address, public", [
    ("93.184.216.34", True), ("2606:4700::1111", True),
    ("127.0.0.1", False), ("10.1.2.3", False), ("172.16.0.9", False), ("192.168.1.1", False),
    ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False), ("224.0.0.1", False),
    ("::1", False), ("fc00::1", False), ("fe80::1", False), ("::ffff:127.0.0.1", False),
])
def test_private_and_local_addresses_are_not_public(address, public):
    assert is_public(address) is public


def test_one_private_answer_among_public_ones_is_refused():
    with pytest.raises(TargetRefused):
        check_addresses(["93.184.216.34", "10.0.0.1"], allow_local=False)
    with pytest.raises(TargetRefused):
        check_addresses([], allow_local=True)
