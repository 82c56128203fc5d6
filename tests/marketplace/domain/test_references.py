"""Order and checkout references: what is built reads back, anything else is refused with the one
declared error."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ewtp.exceptions import NotFound
from marketplace.domain.references import (
    MalformedReference,
    build_checkout_reference,
    build_order_reference,
    parse_checkout_reference,
    parse_order_reference,
)

ids = st.integers(min_value=1, max_value=2**63 - 1)
KINDS = [(build_order_reference, parse_order_reference), (build_checkout_reference, parse_checkout_reference)]


@pytest.mark.parametrize(("number", "order", "checkout"), [
    (1, "ORD-000001", "CHK-000001"),
    (123, "ORD-000123", "CHK-000123"),
    (999_999, "ORD-999999", "CHK-999999"),
    (1_000_000, "ORD-1000000", "CHK-1000000"),
    (2**63 - 1, "ORD-9223372036854775807", "CHK-9223372036854775807"),
])
def test_references_are_padded_to_six_digits_and_written_in_full_beyond(number, order, checkout):
    assert build_order_reference(number) == order and parse_order_reference(order) == number
    assert build_checkout_reference(number) == checkout and parse_checkout_reference(checkout) == number


@given(number=ids)
def test_what_is_built_reads_back(number):
    for build, parse in KINDS:
        assert parse(build(number)) == number


@given(number=ids)
def test_an_order_reference_is_no_checkout_reference_and_back(number):
    with pytest.raises(MalformedReference):
        parse_checkout_reference(build_order_reference(number))
    with pytest.raises(MalformedReference):
        parse_order_reference(build_checkout_reference(number))


@pytest.mark.parametrize("junk", [
    "", "ORD-", "ORD-1", "ORD-00001", "ORD-0000001", "ORD-000000", "ORD-00000a", "ORD- 00001", "ORD-+00001",
    "ORD--00001", "ORD-000001 ", " ORD-000001", "ord-000001", "ORD000001", "ORD-٠٠٠٠٠١", "ORD-00000²",
    "ORD-1_000_000", "ORD-9223372036854775808", "ORD-" + "9" * 5000, "CHK-000001", None, 12, b"ORD-000001",
])
def test_junk_is_refused_as_not_found(junk):
    with pytest.raises(MalformedReference) as refused:
        parse_order_reference(junk)
    assert isinstance(refused.value, NotFound) and refused.value.status_code == 404
    assert refused.value.code == "not_found" and refused.value.field == "reference"


@given(text=st.one_of(st.text(), st.text().map("ORD-".__add__), st.text(alphabet="0123456789", min_size=1).map(
    "ORD-".__add__), st.integers().map(lambda n: f"ORD-{n}"), st.integers(), st.none(), st.binary()))
def test_anything_reads_back_to_the_reference_it_came_from_or_is_refused(text):
    # the one exception declared, never ValueError or TypeError; and a reference has one spelling
    for build, parse in KINDS:
        try:
            number = parse(text)
        except MalformedReference:
            continue
        assert build(number) == text


@pytest.mark.parametrize("number", [0, -1, 2**63, 1.0, True, "1", None])
def test_only_a_saved_row_id_is_built_into_a_reference(number):
    with pytest.raises(ValueError):
        build_order_reference(number)
