"""The tariff book the app builds from what `load_reference_data` stored is the book the tests and the
benchmarks build from the files: the same records, through the same builder (build_tariff_book)."""

from __future__ import annotations

from datetime import date

import pytest

from customs.reference import read_book_records

pytestmark = pytest.mark.django_db

ON = (date(2021, 6, 1), date(2025, 9, 1), date(2026, 1, 15))
ORIGINS = (None, "CN", "JP", "US", "VN", "DE")


def test_the_stored_records_are_the_files_records(reference_data):
    from customs.selectors import tariff_book_records

    # given the reference data loaded as on a server
    stored = tariff_book_records()
    # when the files are read again
    files = read_book_records()
    # then every measure row (in order), document and code came back as the files give them
    assert list(stored.measures) == files.measures
    assert stored.destinations == files.destinations
    assert stored.agreements == files.agreements
    assert stored.restrictions == files.restrictions
    assert sorted(stored.hs_codes) == sorted(files.hs_codes)
    assert stored.hs_correlation == files.hs_correlation


def test_the_book_from_the_database_answers_as_the_book_from_the_files(reference_data, book):
    from customs.selectors import tariff_book

    # given the book a server builds from its tables and the book the tests build from the files
    served = tariff_book()
    # then they hold the same data
    assert served.measure_count == book.measure_count
    assert [d.as_json() for d in served.destinations()] == [d.as_json() for d in book.destinations()]
    assert served.agreements == book.agreements
    assert served.hs_codes == book.hs_codes and served.hs_correlation == book.hs_correlation
    # and answer the same lookups: every destination, a spread of national lines and subheadings, dates, origins
    codes = sorted(book.hs_codes)[::97] + ["6109100010", "61102091", "85171300", "851762", "0902100000", "22042109"]
    for regime in book.destinations():
        served_regime = served.destination(regime.code)
        for code in codes:
            for on in ON:
                assert served_regime.tax_rate(code, on) == regime.tax_rate(code, on)
                for origin in ORIGINS:
                    assert served.lookup(regime.code, code, on, origin) == book.lookup(regime.code, code, on, origin)
            assert served.restrictions_for(regime.code, code, "CN") == book.restrictions_for(regime.code, code, "CN")
    # and rate the same share of HS 2022 per customs territory
    for territory in ("GB", "EU", "US", "JP", "AU", "CN"):
        assert served.coverage(territory, ON[-1]) == book.coverage(territory, ON[-1])
