"""Catalog search on two databases, and the stored columns it searches and sorts by.

PostgreSQL: a stored, weighted tsvector (English title A, English description B, jieba-segmented
Chinese words A under the 'simple' configuration) ranked with ts_rank (the newest RANKED_MAX
matches); when no listing holds every word, pg_trgm word similarity on the English title, so that
misspellings ("gren tea") still find things; both through their GIN indexes.
SQLite (a laptop's `make test`): every word must appear in a title, a description or the Chinese
words; when nothing matches, a fuzzy pass over the titles with rapidfuzz stands in for trigrams.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.db.models import Case, DecimalField, F, FloatField, Lookup, Q, QuerySet, Value, When

from marketplace.domain.text import index_text, query_words

TRIGRAM_THRESHOLD = 0.5  # pg_trgm word_similarity of the query within the English title
FUZZY_SCORE = 80  # rapidfuzz partial ratio on SQLite
FUZZY_SCAN_LIMIT = 20_000
RANKED_MAX = 500  # PostgreSQL ranks the newest 500 matches of a search by relevance: its result pages end there


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def search_zh_for(listing) -> str:
    return index_text(listing.title_zh, listing.description_zh)


def reindex(listing_ids) -> None:
    """Refresh the stored catalog columns of these listings after a save: the price in EUR and, on
    PostgreSQL, the tsvector (SQLite searches the columns)."""
    from marketplace.models import Listing

    columns = {"price_eur": price_eur_expression()}
    if is_postgres():
        from django.contrib.postgres.search import SearchVector

        columns["search_vector"] = (SearchVector("title_en", weight="A", config="english")
                                    + SearchVector("description_en", weight="B", config="english")
                                    + SearchVector("search_zh", weight="A", config="simple"))
    Listing.objects.filter(pk__in=listing_ids).update(**columns)


def reprice_all() -> int:
    """Every listing's price in EUR at the latest reference rates (after new rates are stored)."""
    from marketplace.models import Listing

    return Listing.objects.update(price_eur=price_eur_expression())


def price_eur_expression():
    """The unit price in EUR at the latest reference rates, as SQL; NULL for a currency without a rate."""
    from ewtp.fx import fx_table

    rates = fx_table().rates_per_eur
    return Case(*[When(currency=code, then=F("price_amount") * Value(Decimal(1) / per_eur))
                  for code, per_eur in rates.items()],
                default=None, output_field=DecimalField(max_digits=24, decimal_places=8))


def _stem(word: str) -> str:
    """A light English stem for the SQLite fallback: teas → tea, boxes → box."""
    if len(word) > 4 and word.endswith("es") and word[-3] in "sxz":
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def apply(listings: QuerySet, q: str, *, rank: bool = True) -> QuerySet:
    """Listings matching `q`, annotated with `relevance` (higher is better) when they are to be sorted by it."""
    latin, chinese = query_words(q)
    digits = q.replace(".", "").replace(" ", "")
    if digits.isdigit() and 2 <= len(digits) <= 10:
        return listings.filter(hs_code__startswith=digits).annotate(relevance=Value(1.0, output_field=FloatField()))
    if not latin and not chinese:  # only signs or emoji: nothing matches, but the caller may still sort by relevance
        return listings.none().annotate(relevance=Value(0.0, output_field=FloatField()))
    if is_postgres():
        return _apply_postgres(listings, latin, chinese, rank=rank)
    return _apply_sqlite(listings, latin, chinese)


def connection_setup(connection) -> None:
    """On each new PostgreSQL connection: the word-similarity threshold that the `%>` operator (and so the
    trigram GIN index) applies, below pg_trgm's default of 0.6, which misses "batk scarf"."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)",
                           [str(TRIGRAM_THRESHOLD)])


def _apply_postgres(listings, latin, chinese, *, rank: bool):
    from django.contrib.postgres.expressions import ArraySubquery
    from django.contrib.postgres.lookups import TrigramWordSimilar
    from django.contrib.postgres.search import SearchQuery, SearchRank

    query = None
    if latin:
        query = SearchQuery(" ".join(latin), config="english", search_type="plain")
    if chinese:
        zh = SearchQuery(" ".join(chinese), config="simple", search_type="plain")
        query = zh if query is None else query | zh
    matched = listings.filter(search_vector=query)
    if latin and not matched.exists():
        # Misspellings, when no listing holds every word (as on SQLite): word similarity of the query within
        # the English title, at TRIGRAM_THRESHOLD (connection_setup), through the trigram index; newest first.
        similar = TrigramWordSimilar(F("title_en"), Value(" ".join(latin)))  # title_en %> 'text'
        return listings.filter(similar).annotate(relevance=Value(0.0, output_field=FloatField()))
    if not rank:  # sorted by price or date: every match
        return matched
    # ts_rank reads the tsvector of every row it ranks: rank the newest RANKED_MAX matches, not all of them.
    # `id = ANY(ARRAY(subquery))`: the subquery runs once and the ids are fetched through the primary key
    # (`id IN (subquery)` would hash-join a scan of the whole table).
    newest = ArraySubquery(matched.order_by("-created_at", "-id").values("pk")[:RANKED_MAX])
    return (listings.model._default_manager.filter(_EqualsAny(F("pk"), newest))
            .annotate(relevance=SearchRank(F("search_vector"), query)))


class _EqualsAny(Lookup):
    """`lhs = ANY(rhs)`, rhs an array (PostgreSQL)."""

    lookup_name = "equals_any"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


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



