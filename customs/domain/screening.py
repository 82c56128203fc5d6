"""Denied-party screening: fuzzy name matching against sanctions lists, from an in-memory index.

Pure code: no ORM, no I/O. The readers in ``customs.integrations.sanctions_lists`` turn list
files into ``ListedParty`` rows; ``ScreeningIndex.build`` indexes them once per process and
``ScreeningIndex.screen`` answers one party in well under a millisecond to a few milliseconds.

How a name is compared
----------------------
1. Normalise both sides (``normalise_tokens``): Unicode NFKD, drop combining marks (é → e),
   casefold, transliterate Cyrillic (Russian, Ukrainian, Belarusian letters, a BGN/PCGN-like
   table) and a few Latin letters NFKD leaves alone (ß, æ, ø, œ, ł, đ, ð, þ, ı); drop
   punctuation; drop legal-form noise (LLC, LTD, CO, JSC, OOO, GmbH, S.A., "company",
   "limited liability company", "obshchestvo s ogranichennoi otvetstvennostyu", ..., and long
   ones misspelt by a letter: "Compaany") and the connectives and/the/of/de. The evidence keeps
   the list's own spelling.
   Not covered: Arabic, Chinese, Korean and other scripts (the lists carry Latin spellings;
   a name in those scripts finds nothing).
2. Blocking: every indexed token is filed under two keys, its first four letters and the first
   three letters of a consonant skeleton (vowels, h, w, y dropped: "Yevgeniy" and "Evgeny"
   share "vgn", "Mohammed" and "Muhammad" share "mmd"). A query looks up its own keys and takes
   the smallest posting lists first until about ``_CANDIDATE_BUDGET`` names are collected, so
   a query scores a few hundred names, never the whole list.
3. Prefilter with ``rapidfuzz.process.extract`` (token_set_ratio) over those candidates, then
   score the survivors by aligning tokens (order does not matter): each query token pairs with
   its most similar listed token (rapidfuzz ratio of at least 75, i.e. one letter off in a
   four-letter word; tokens of three letters or fewer must be equal; equal skeletons add a bonus
   for transliteration variants). The score is a Dice coefficient
   weighted by how rare each token is on the list (IDF), so sharing "trading" or "tea" counts
   for little and sharing a rare surname counts for a lot; every unmatched token on either
   side pulls the score down.
4. Individuals: when at least two tokens match and the surname (the part before the comma in
   OFAC's "LAST, First Middle") is among them, listed given names or patronymics the query
   leaves out count a quarter, so "Vladimir Putin" still matches "PUTIN, Vladimir Vladimirovich";
   a second surname left out ("GARCIA RIOS") counts in full. Names without a comma (UN entries,
   aliases) treat every left-out token as a given name.
5. Country: when the caller gives a country and the listed party has country hints, a hint that
   matches adds ``COUNTRY_MATCH_BONUS`` (capped at 100) and a mismatch subtracts
   ``COUNTRY_MISMATCH_PENALTY``. With no hints, or no country given, the score is unchanged.
   An exact name match survives a mismatch (100 − 10 stays above the default threshold 88);
   a fuzzy one usually does not.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process

LIST_OFAC_SDN = "OFAC-SDN"
LIST_UN_SC = "UN-SC"

PARTY_TYPES = ("individual", "entity", "vessel", "aircraft")

DEFAULT_THRESHOLD = 88.0
COUNTRY_MATCH_BONUS = 5.0
COUNTRY_MISMATCH_PENALTY = 10.0

# A query looks at the smallest posting lists first until it holds this many names.
_CANDIDATE_BUDGET = 400
# Only this many names survive the rapidfuzz prefilter into the token aligner.
_PREFILTER_LIMIT = 40
_PREFILTER_CUTOFF = 50.0
# Token pairs below this similarity are not the same token. Four-letter tokens may differ by
# one letter ("rida"/"roda" scores 75); three letters or fewer must be equal.
_TOKEN_MATCH_MIN = 75.0
# Listed given names the query leaves out count this much for individuals (see step 4).
_UNMATCHED_GIVEN_NAME_WEIGHT = 0.25


@dataclass(frozen=True)
class ListedParty:
    """One entry of a sanctions list, as the list publishes it."""

    list_name: str  # LIST_OFAC_SDN or LIST_UN_SC
    entry_id: str  # the list's own id: OFAC ent_num, UN reference number
    name: str
    aliases: tuple[str, ...] = ()
    party_type: str = "entity"  # one of PARTY_TYPES
    programs: tuple[str, ...] = ()  # e.g. ("SDGT", "RUSSIA-EO14024"), UN list type ("DPRK")
    countries: tuple[str, ...] = ()  # ISO 3166 alpha-2 hints (nationality, birth, address, flag)
    remarks: str = ""


@dataclass(frozen=True)
class Match:
    party: ListedParty
    matched_name: str  # the list's spelling of the name or alias that matched
    score: float  # 0..100 after the country adjustment
    reasons: tuple[str, ...] = field(default_factory=tuple)


# --- normalisation -------------------------------------------------------------------------

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u",
}  # fmt: skip
# Latin letters that NFKD does not decompose into a base letter plus a mark.
_LATIN_EXTRA = {"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
_TRANSLITERATION = str.maketrans({**_CYRILLIC, **_LATIN_EXTRA})

# Dots and apostrophes join ("S.A." → "sa", "O'Brien" → "obrien"); other punctuation separates.
_JOINERS = re.compile(r"[.'\u2019`´]")
_SEPARATORS = re.compile(r"[^a-z0-9]+")

# Multi-word legal forms, removed before single words so "joint stock company" goes as a whole.
_LEGAL_PHRASES = (
    "limited liability company", "limited liability partnership", "limited partnership",
    "public joint stock company", "private joint stock company", "closed joint stock company",
    "open joint stock company", "joint stock company", "public limited company", "private limited",
    "obshchestvo s ogranichennoi otvetstvennostyu", "obshchestvo s ogranichennoy otvetstvennostyu",
    "publichnoe aktsionernoe obshchestvo", "zakrytoe aktsionernoe obshchestvo",
    "otkrytoe aktsionernoe obshchestvo", "aktsionernoe obshchestvo", "limited sirketi",
    "anonim sirketi", "sociedad anonima", "societe anonyme", "sole proprietorship",
    "s de rl de cv", "sa de cv", "s de rl",
)  # fmt: skip
_LEGAL_WORDS = frozenset(
    """
    co company companies corp corporation inc incorporated ltd limited llc llp lp plc pte pty pvt
    jsc ojsc cjsc pjsc ooo oao zao pao ao tov kompaniya obshchestvo sirketi gmbh mbh ag kg ohg ug
    sa sas sarl srl spa sl sal ca cv rl ltda bv nv ab as oy oyj aps kft zrt sro doo sdn bhd pt tbk
    fze fzco fzc fzllc fz
    liability joint stock anonim aktsionernoe ogranichennoi ogranichennoy otvetstvennostyu
    publichnoe zakrytoe otkrytoe sociedad anonima limitada
    and the of und et de
    """.split()
)
# Long legal words are also dropped when misspelt by a letter or so ("Compaany", "Limitd").
_LONG_LEGAL_WORDS = tuple(word for word in _LEGAL_WORDS if len(word) >= 6)
_MISSPELT_LEGAL_WORD_MIN = 85.0
_LEGAL_PHRASE_RE = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in _LEGAL_PHRASES) + r")\b")


def _fold(text: str) -> str:
    """Casefold, transliterate and strip accents; punctuation still in place."""
    text = text.casefold().translate(_TRANSLITERATION)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=65_536)
def _is_legal_word(token: str) -> bool:
    if token in _LEGAL_WORDS:
        return True
    return len(token) >= 6 and process.extractOne(
        token, _LONG_LEGAL_WORDS, scorer=fuzz.ratio, score_cutoff=_MISSPELT_LEGAL_WORD_MIN) is not None


def normalise_tokens(name: str) -> tuple[str, ...]:
    """The comparable tokens of a name, legal-form noise removed (kept if nothing else is left)."""
    folded = _SEPARATORS.sub(" ", _JOINERS.sub("", _fold(name))).strip()
    every_token = tuple(folded.split())
    without_phrases = _LEGAL_PHRASE_RE.sub(" ", folded)
    meaningful = tuple(t for t in without_phrases.split() if not _is_legal_word(t))
    # "Company Ltd" alone is still a name; matching it on nothing would match everything.
    return meaningful or every_token


def normalise_name(name: str) -> str:
    """Tokens sorted and joined: the order-insensitive form of a name (used as an exact key)."""
    return " ".join(sorted(normalise_tokens(name)))


_SKELETON_DIGRAPHS = (("kh", "h"), ("zh", "j"), ("ph", "f"), ("ck", "k"), ("q", "k"), ("c", "k"), ("z", "s"))
_SKELETON_DROP = str.maketrans("", "", "aeiouyhw")


@lru_cache(maxsize=131_072)
def skeleton(token: str) -> str:
    """A consonant skeleton that transliteration variants tend to share ("yevgeniy" → "vgn")."""
    for digraph, replacement in _SKELETON_DIGRAPHS:
        token = token.replace(digraph, replacement)
    stripped = token.translate(_SKELETON_DROP)
    collapsed = [ch for i, ch in enumerate(stripped) if i == 0 or ch != stripped[i - 1]]
    return "".join(collapsed)


def _skeleton_form(tokens: tuple[str, ...]) -> str:
    return " ".join(sorted(skeleton(token) or token for token in tokens))


def _blocking_keys(token: str) -> tuple[str, ...]:
    bone = skeleton(token)
    keys = ["p:" + token[:4]]
    if len(bone) >= 3:
        keys.append("s:" + bone[:3])
    return tuple(keys)


def _token_similarity(query_token: str, query_bone: str, listed_token: str, listed_bone: str) -> float:
    if query_token == listed_token:
        return 100.0
    if len(query_token) <= 3 or len(listed_token) <= 3:
        return 0.0
    similarity = fuzz.ratio(query_token, listed_token)
    if len(query_bone) >= 3 and query_bone == listed_bone:
        # "mohammed"/"muhammad": same consonants, vowels transliterated differently.
        similarity = max(similarity, min(similarity + 15.0, 92.0))
    return similarity


# --- the index -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _IndexedName:
    party_index: int
    display: str  # the list's own spelling
    tokens: tuple[str, ...]
    bones: tuple[str, ...]  # skeleton of each token
    sorted_form: str
    skeleton_form: str
    is_alias: bool
    surname: frozenset[str]  # tokens before the comma of an individual's "LAST, First"


_PARENTHESIS = re.compile(r"\([^()]*\)")


def _surname_tokens(name: str, party_type: str) -> frozenset[str]:
    if party_type != "individual" or "," not in name:
        return frozenset()
    return frozenset(normalise_tokens(name.split(",", 1)[0]))


class ScreeningIndex:
    """Sanctions list names indexed for fuzzy screening. Build once, screen many times."""

    def __init__(self, parties: tuple[ListedParty, ...], names: list[_IndexedName],
                 postings: dict[str, tuple[int, ...]], token_weights: dict[str, float],
                 exact: dict[str, tuple[int, ...]]) -> None:
        self.parties = parties
        self._names = names
        self._postings = postings
        self._weights = token_weights
        self._unknown_token_weight = math.log(1 + len(names))
        self._exact = exact

    @classmethod
    def build(cls, parties: Iterable[ListedParty]) -> ScreeningIndex:
        party_tuple = tuple(parties)
        names: list[_IndexedName] = []
        for party_index, party in enumerate(party_tuple):
            seen: set[str] = set()
            for position, display in enumerate((party.name, *party.aliases)):
                # "PROPAGANDA AND AGITATION DEPARTMENT (PAD)" is also indexed without "(PAD)".
                for written in dict.fromkeys((display, _PARENTHESIS.sub(" ", display))):
                    tokens = normalise_tokens(written)
                    sorted_form = " ".join(sorted(tokens))
                    if not tokens or sorted_form in seen:
                        continue
                    seen.add(sorted_form)
                    bones = tuple(skeleton(token) for token in tokens)
                    names.append(_IndexedName(party_index, display, tokens, bones, sorted_form,
                                              _skeleton_form(tokens), position > 0,
                                              _surname_tokens(written, party.party_type)))

        postings: dict[str, list[int]] = defaultdict(list)
        exact: dict[str, list[int]] = defaultdict(list)
        document_frequency: Counter[str] = Counter()
        for name_id, indexed in enumerate(names):
            exact[indexed.sorted_form].append(name_id)
            unique_tokens = set(indexed.tokens)
            document_frequency.update(unique_tokens)
            for key in {key for token in unique_tokens for key in _blocking_keys(token)}:
                postings[key].append(name_id)

        total = len(names)
        weights = {token: math.log(1 + total / count) for token, count in document_frequency.items()}
        return cls(party_tuple, names,
                   {key: tuple(ids) for key, ids in postings.items()},
                   weights,
                   {key: tuple(ids) for key, ids in exact.items()})

    def __len__(self) -> int:
        return len(self.parties)

    @property
    def name_count(self) -> int:
        """Names indexed: primary names plus distinct aliases."""
        return len(self._names)

    def exact_lookup(self, name: str) -> list[ListedParty]:
        """Parties whose normalised name or alias equals this one's (no fuzziness)."""
        return [self.parties[self._names[i].party_index] for i in self._exact.get(normalise_name(name), ())]

    def candidate_count(self, name: str) -> int:
        """How many indexed names a query for this name would consider (for benchmarks)."""
        return len(self._candidates(normalise_tokens(name)))

    def screen(self, name: str, country: str | None = None, *, threshold: float = DEFAULT_THRESHOLD,
               limit: int = 5, party_types: Collection[str] | None = None) -> list[Match]:
        """The listed parties whose name or alias matches ``name`` at ``threshold`` or more.

        ``country`` (ISO alpha-2) moves the score as the module docstring says; ``party_types``
        restricts the kinds of listed party considered (e.g. leave out vessels and aircraft).
        Best match first, at most ``limit`` parties, one match per party.
        """
        query_tokens = normalise_tokens(name)
        if not query_tokens:
            return []
        query_bones = tuple(skeleton(token) for token in query_tokens)
        candidate_ids = self._candidates(query_tokens)
        if party_types is not None:
            candidate_ids = {i for i in candidate_ids
                             if self.parties[self._names[i].party_index].party_type in party_types}
        country_code = country.strip().upper() if country else None

        best_per_party: dict[int, Match] = {}
        for name_id in self._prefilter(query_tokens, candidate_ids):
            indexed = self._names[name_id]
            party = self.parties[indexed.party_index]
            name_score, notes = self._score(query_tokens, query_bones, indexed, party.party_type)
            score, country_note = _adjust_for_country(name_score, country_code, party.countries)
            if score < threshold:
                continue
            current = best_per_party.get(indexed.party_index)
            if current is not None and current.score >= score:
                continue
            best_per_party[indexed.party_index] = Match(
                party=party, matched_name=indexed.display, score=round(score, 1),
                reasons=_reasons(party, indexed, name_score, notes, country_note))
        ranked = sorted(best_per_party.values(), key=lambda match: (-match.score, match.party.entry_id))
        return ranked[:limit]

    # --- internals ---

    def _candidates(self, query_tokens: tuple[str, ...]) -> set[int]:
        keys = {key for token in query_tokens for key in _blocking_keys(token)}
        lists = sorted((self._postings.get(key, ()) for key in keys), key=len)
        candidates: set[int] = set()
        for posting in lists:
            # Rare keys first: a real match shares at least one of them; common ones ("al",
            # "trading") would pull in thousands of names for nothing.
            if candidates and len(candidates) + len(posting) > _CANDIDATE_BUDGET:
                break
            candidates.update(posting)
        return candidates

    def _prefilter(self, query_tokens: tuple[str, ...], candidate_ids: set[int]) -> set[int]:
        """The candidates worth aligning token by token: close as spelt, or close as skeletons."""
        spelt = {name_id: self._names[name_id].sorted_form for name_id in candidate_ids}
        bones = {name_id: self._names[name_id].skeleton_form for name_id in candidate_ids}
        survivors: set[int] = set()
        for query, choices in ((" ".join(sorted(query_tokens)), spelt), (_skeleton_form(query_tokens), bones)):
            found = process.extract(query, choices, scorer=fuzz.token_set_ratio,
                                    score_cutoff=_PREFILTER_CUTOFF, limit=_PREFILTER_LIMIT)
            survivors.update(name_id for _choice, _score, name_id in found)
        return survivors

    def _weight(self, token: str) -> float:
        return self._weights.get(token, self._unknown_token_weight)

    def _score(self, query_tokens: tuple[str, ...], query_bones: tuple[str, ...], indexed: _IndexedName,
               party_type: str) -> tuple[float, list[str]]:
        pairs = sorted(
            ((_token_similarity(q, query_bones[qi], n, indexed.bones[ni]), qi, ni)
             for qi, q in enumerate(query_tokens) for ni, n in enumerate(indexed.tokens)),
            reverse=True,
        )
        used_query: set[int] = set()
        used_listed: set[int] = set()
        matched = 0.0  # weight of the aligned tokens, scaled by how alike each pair is
        aligned = 0.0  # the same weight at full similarity
        for similarity, qi, ni in pairs:
            if similarity < _TOKEN_MATCH_MIN:
                break
            if qi in used_query or ni in used_listed:
                continue
            used_query.add(qi)
            used_listed.add(ni)
            # Both sides weigh as the listed token: a misspelt query token is not "rarer".
            pair_weight = 2 * self._weight(indexed.tokens[ni])
            matched += pair_weight * similarity / 100.0
            aligned += pair_weight

        unmatched_query = [q for qi, q in enumerate(query_tokens) if qi not in used_query]
        unmatched_listed = [n for ni, n in enumerate(indexed.tokens) if ni not in used_listed]
        # Given names and patronymics the query leaves out weigh less, once the surname matched;
        # a surname the query leaves out ("GARCIA RIOS") weighs in full.
        lenient: list[str] = []
        if party_type == "individual" and len(used_query) >= 2 and unmatched_listed:
            matched_listed = {indexed.tokens[ni] for ni in used_listed}
            if not indexed.surname or indexed.surname & matched_listed:
                lenient = [n for n in unmatched_listed if n not in indexed.surname]
        notes = ["listed given names not in the query weigh less: " + " ".join(lenient)] if lenient else []
        penalty = sum(self._weight(q) for q in unmatched_query)
        penalty += sum(self._weight(n) * (_UNMATCHED_GIVEN_NAME_WEIGHT if n in lenient else 1.0)
                       for n in unmatched_listed)
        if matched == 0.0:
            return 0.0, notes
        return 100.0 * matched / (aligned + penalty), notes


def _adjust_for_country(score: float, country: str | None, hints: tuple[str, ...]) -> tuple[float, str | None]:
    if not country or not hints:
        return score, None
    listed = ", ".join(hints)
    if country in hints:
        return min(100.0, score + COUNTRY_MATCH_BONUS), f"country {country} is among the list's hints ({listed}): +{COUNTRY_MATCH_BONUS:g}"
    return score - COUNTRY_MISMATCH_PENALTY, f"country {country} is not among the list's hints ({listed}): -{COUNTRY_MISMATCH_PENALTY:g}"


def _reasons(party: ListedParty, indexed: _IndexedName, name_score: float, notes: list[str],
             country_note: str | None) -> tuple[str, ...]:
    which = "alias" if indexed.is_alias else "listed name"
    reasons = [
        f"{which} {indexed.display!r} scores {name_score:.1f}",
        f"{party.list_name} entry {party.entry_id} ({party.party_type})",
    ]
    if party.programs:
        reasons.append("programmes: " + ", ".join(party.programs))
    reasons.extend(notes)
    if country_note:
        reasons.append(country_note)
    return tuple(reasons)
