"""Compliance up front: the pure rules that screen a party or a listing before money or goods move.

Clearance (customs/screening.py) screens a declaration after the buyer paid and the seller booked;
these rules run earlier, with the same list index and tariff book: a seller at company verification,
a buyer at sign-up and at checkout, a listing when it is published. Pure code: no ORM, no I/O.

What a restriction means up front (the tariff book's two kinds):

    prohibited        the destination refuses the goods: publishing a listing that ships there and
                      checking out to there are refused, with the authority's wording
    licence_required  clearance will ask for a licence or permit: the seller and the buyer are told
                      (the wording and the authority), and the sale goes on
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from customs.domain.screening import Match

PROHIBITED = "prohibited"
LICENCE_REQUIRED = "licence_required"


@dataclass(frozen=True)
class PartyHit:
    """A party that matched a denied-party list entry: what the reviewing staff see."""

    role: str  # "seller", "buyer", "ship-to"
    name: str  # the name screened, as given
    country: str
    list_name: str
    entry_id: str
    listed_name: str
    matched_name: str  # the name or alias that matched, in the list's own spelling
    score: float
    programs: tuple[str, ...]
    reasons: tuple[str, ...]

    def as_json(self) -> dict:
        return {"role": self.role, "name": self.name, "country": self.country, "list": self.list_name,
                "entry_id": self.entry_id, "listed_name": self.listed_name, "matched_name": self.matched_name,
                "score": self.score, "programs": list(self.programs), "reasons": list(self.reasons)}


def party_hits(role: str, name: str, country: str, matches: Iterable[Match]) -> list[PartyHit]:
    return [PartyHit(role=role, name=name, country=country or "", list_name=m.party.list_name,
                     entry_id=m.party.entry_id, listed_name=m.party.name, matched_name=m.matched_name,
                     score=round(m.score, 1), programs=tuple(m.party.programs), reasons=tuple(m.reasons))
            for m in matches]


def parties_to_screen(parties: Iterable[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """(role, name, country) with blank names left out and the same name and country screened once."""
    seen: set[tuple[str, str]] = set()
    wanted = []
    for role, name, country in parties:
        name = (name or "").strip()
        key = (name.casefold(), (country or "").upper())
        if not name or key in seen:
            continue
        seen.add(key)
        wanted.append((role, name, (country or "").upper()))
    return wanted


def hit_key(hit: dict) -> tuple[str, str, str]:
    """What staff cleared when they cleared a hit: this name against this list entry."""
    return (str(hit.get("name", "")).casefold(), str(hit.get("list", "")), str(hit.get("entry_id", "")))


def uncleared(hits: Iterable[dict], cleared: Iterable[dict]) -> list[dict]:
    """The hits staff have not cleared already for this party (a false match is not held twice)."""
    done = {hit_key(hit) for hit in cleared}
    return [hit for hit in hits if hit_key(hit) not in done]


@dataclass(frozen=True)
class RestrictionNotice:
    """One destination's restriction on a good, with the authority's wording."""

    destination: str  # the country asked about (a member state, for a union's rule)
    kind: str  # PROHIBITED | LICENCE_REQUIRED
    hs_prefix: str
    wording: str
    authority: str
    source: str
    rule_of: str = ""  # where the rule is made: the country, or its customs union ("EU")

    @property
    def prohibited(self) -> bool:
        return self.kind == PROHIBITED

    def sentence(self) -> str:
        return f"{self.destination}: {self.wording} ({self.authority})"

    def as_json(self) -> dict:
        return {"destination": self.destination, "kind": self.kind, "hs_prefix": self.hs_prefix,
                "wording": self.wording, "authority": self.authority, "source": self.source,
                "rule_of": self.rule_of or self.destination}


def split_notices(notices: Iterable[RestrictionNotice]) -> tuple[list[RestrictionNotice], list[RestrictionNotice]]:
    """(prohibitions, licence requirements), each sorted by destination, one per destination and wording."""
    unique = {(n.destination, n.kind, n.wording): n for n in notices}
    ordered = sorted(unique.values(), key=lambda n: (n.destination, n.hs_prefix))
    return [n for n in ordered if n.prohibited], [n for n in ordered if not n.prohibited]


def grouped_by_wording(notices: Iterable[RestrictionNotice]) -> list[tuple[tuple[str, ...], RestrictionNotice]]:
    """Notices sharing a wording (a union's rule: 27 member states) as (destinations, one notice)."""
    groups: dict[tuple[str, str], list[RestrictionNotice]] = {}
    for notice in notices:
        groups.setdefault((notice.kind, notice.wording), []).append(notice)
    return [(tuple(sorted(n.destination for n in group)), group[0]) for group in groups.values()]


def prohibition_message(notices: list[RestrictionNotice], *, hs_code: str) -> str:
    """What the seller reads when publishing is refused: where, and the authority's own words."""
    parts, names = [], []
    for destinations, notice in grouped_by_wording(notices):
        union = notice.rule_of and notice.rule_of != notice.destination
        places = f"the {notice.rule_of} ({len(destinations)} countries)" if union else ", ".join(destinations)
        names.append(notice.rule_of if union else ", ".join(destinations))
        parts.append(f"{places} — {notice.authority}: \u201c{notice.wording}\u201d")
    return (f"Goods under HS {hs_code} are prohibited in " + "; ".join(parts)
            + f". Add {', '.join(names)} to the countries you do not ship to, or correct the HS code.")
