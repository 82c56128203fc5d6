"""Catalog search on two databases.

PostgreSQL: a stored, weighted tsvector (English title A, English description B, jieba-segmented
Chinese words A under the 'simple' configuration) ranked with ts_rank, OR'ed with pg_trgm word
similarity on the English title so that misspellings ("gren tea") still find things.
SQLite (a laptop's `make test`): every word must appear in a title, a description or the Chinese
words; when nothing matches, a fuzzy pass over the titles with rapidfuzz stands in for trigrams.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When

from marketplace.domain.text import index_text, query_words

TRIGRAM_THRESHOLD = 0.5  # pg_trgm word_similarity of the query within the English title
FUZZY_SCORE = 80  # rapidfuzz partial ratio on SQLite
FUZZY_SCAN_LIMIT = 20_000


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def search_zh_for(listing) -> str:
    return index_text(listing.title_zh, listing.description_zh)


def reindex(listing_ids) -> None:
    """Refresh the stored tsvector of these listings (PostgreSQL only; SQLite searches the columns)."""
    if not is_postgres():
        return
    from django.contrib.postgres.search import SearchVector

    from marketplace.models import Listing

    Listing.objects.filter(pk__in=listing_ids).update(search_vector=(
        SearchVector("title_en", weight="A", config="english")
        + SearchVector("description_en", weight="B", config="english")
        + SearchVector("search_zh", weight="A", config="simple")))


def _stem(word: str) -> str:
    """A light English stem for the SQLite fallback: teas → tea, boxes → box."""
    if len(word) > 4 and word.endswith("es") and word[-3] in "sxz":
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def apply(listings: QuerySet, q: str) -> QuerySet:
    """Listings matching `q`, annotated with `relevance` (higher is better)."""
    latin, chinese = query_words(q)
    digits = q.replace(".", "").replace(" ", "")
    if digits.isdigit() and 2 <= len(digits) <= 10:
        return listings.filter(hs_code__startswith=digits).annotate(relevance=Value(1.0, output_field=FloatField()))
    if not latin and not chinese:
        return listings.none()
    if is_postgres():
        return _apply_postgres(listings, q, latin, chinese)
    return _apply_sqlite(listings, latin, chinese)


def _apply_postgres(listings, q, latin, chinese):
    from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity

    query = None
    if latin:
        query = SearchQuery(" ".join(latin), config="english", search_type="plain")
    if chinese:
        zh = SearchQuery(" ".join(chinese), config="simple", search_type="plain")
        query = zh if query is None else query | zh
    condition = Q(search_vector=query)
    relevance = SearchRank(F("search_vector"), query)
    if latin:
        text = " ".join(latin)
        # Misspellings: pg_trgm word similarity of the query within the English title. A threshold of 0.5
        # (below the `<%` operator's default 0.6, which misses "batk scarf") means a scan of the titles
        # that match the other filters; exact matches rank first (ts_rank), misspelt ones after.
        listings = listings.annotate(similarity=TrigramWordSimilarity(Value(text), "title_en"))
        condition |= Q(similarity__gte=TRIGRAM_THRESHOLD)
    return listings.annotate(relevance=relevance).filter(condition)


def _apply_sqlite(listings, latin, chinese):
    condition = Q()
    for word in latin:
        stem = _stem(word)
        condition &= (Q(title_en__icontains=stem) | Q(description_en__icontains=stem) | Q(title_zh__icontains=stem)
                      | Q(description_zh__icontains=stem))
    for word in chinese:
        condition &= Q(search_zh__contains=word) | Q(title_zh__contains=word) | Q(description_zh__contains=word)
    matched = listings.filter(condition)
    if latin and not matched.exists():
        matched = listings.filter(pk__in=_fuzzy_ids(listings, " ".join(latin)))
    in_title = Q()
    for word in latin:
        in_title &= Q(title_en__icontains=_stem(word))
    for word in chinese:
        in_title &= Q(title_zh__contains=word)
    return matched.annotate(relevance=Case(When(in_title, then=Value(2.0)), default=Value(1.0),
                                           output_field=FloatField()))


def _fuzzy_ids(listings, text: str) -> list[int]:
    from rapidfuzz import fuzz

    rows = listings.order_by().values_list("pk", "title_en")[:FUZZY_SCAN_LIMIT]
    return [pk for pk, title in rows if title and fuzz.partial_ratio(text, title.lower()) >= FUZZY_SCORE]



