"""Compliance up front, fed from the database: denied-party screening of a party (seller, buyer, ship-to)
and the restrictions on a good for the destinations it goes to. The rules are in
customs/domain/compliance.py; the list index and tariff book are the ones clearance uses, cached in
process (customs.screening.screening_index, customs.selectors.tariff_book), so a screen costs a few
milliseconds and no query beyond the index's version check.

Others call these (marketplace directly; accounts through its `party_screening` signal, since accounts
imports no other app). SCREENING_THRESHOLD is the same setting clearance holds a case at (88).
"""

from __future__ import annotations

from collections.abc import Iterable

from customs.domain.compliance import PartyHit, RestrictionNotice, parties_to_screen, party_hits
from customs.screening import screening_index, setting

# Vessels and aircraft are listed too; a trader's or a person's name is never one of them.
NOT_PARTIES = frozenset({"vessel", "aircraft"})


def parties_screen(parties: Iterable[tuple[str, str, str]]) -> list[PartyHit]:
    """Screen (role, name, country) triples against the loaded denied-party lists: every hit at or above
    SCREENING_THRESHOLD, best first per party (at most three list entries per party)."""
    threshold = float(setting("SCREENING_THRESHOLD", 88.0))
    index = screening_index()
    hits: list[PartyHit] = []
    for role, name, country in parties_to_screen(parties):
        matches = [m for m in index.screen(name, country or None, threshold=threshold, limit=5)
                   if m.party.party_type not in NOT_PARTIES][:3]
        hits += party_hits(role, name, country, matches)
    return hits


def goods_restrictions(*, hs_code: str, origin: str | None, destinations: Iterable[str]) -> list[RestrictionNotice]:
    """What each destination's tariff book restrictions say about goods of this HS code and origin."""
    from customs.selectors import tariff_book

    book = tariff_book()
    notices = []
    for destination in destinations:
        for restriction in book.restrictions_for(destination, hs_code, origin or None):
            notices.append(RestrictionNotice(destination=destination, kind=restriction.kind,
                                             hs_prefix=restriction.hs_prefix, wording=restriction.wording,
                                             authority=restriction.authority, source=restriction.source,
                                             rule_of=restriction.destination))
    return notices


def shipping_destinations(excluded: Iterable[str] = ()) -> list[str]:
    """The countries the platform quotes and ships to (the tariff book's destinations; a customs union is
    its member states), less `excluded`: country codes, or a customs territory ("EU") for all its members."""
    from customs.selectors import tariff_book

    excluded = set(excluded)
    regimes = tariff_book().destinations()
    unions = {regime.territory for regime in regimes if regime.territory != regime.code}
    return sorted(regime.code for regime in regimes if regime.code not in unions
                  and regime.code not in excluded and regime.territory not in excluded)


def is_excluded(country: str, excluded: Iterable[str]) -> bool:
    """The country is among `excluded`, itself or through its customs territory ("EU")."""
    from customs.selectors import tariff_book

    excluded = set(excluded)
    return bool(excluded) and (country in excluded or (tariff_book().union_of(country) or "") in excluded)
