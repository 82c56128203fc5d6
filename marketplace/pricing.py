"""Landed cost of marketplace goods: the price, the cheapest shipping (logistics) and the duty,
taxes and fees (customs), in the buyer's currency. Marketplace asks; the other apps answer."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.selectors import company_of
from customs.selectors import destination_currency, landed_cost_quote, tariff_book
from ewtp.exceptions import ApplicationError
from ewtp.fx import fx_for_quote, fx_table
from ewtp.money import Money
from logistics.selectors import cheapest_option
from marketplace.domain.quote_snapshot import FxUsed, QuoteSnapshot


@dataclass(frozen=True)
class OrderQuote:
    destination: str
    currency: str
    goods: Money
    shipping: Money
    duties_estimate: Money  # duty + import taxes + fees at the border
    duties_payable_now: Money  # DDP: the estimate; DAP: nothing (paid on delivery)
    total_payable_now: Money
    landed_cost: Money  # what the goods cost delivered, whoever pays the duties when
    shipping_service: str
    shipping_days: tuple[int, int]
    snapshot: QuoteSnapshot  # what an order placed on this quote stores

    @property
    def total(self) -> Money:
        return self.landed_cost

    @property
    def country(self) -> str:
        return self.destination

    @property
    def manual_lines(self) -> list[dict]:
        """The lines whose duty the engine could not compute (manual assessment): not in any total."""
        return self.snapshot.customs.manual_lines

    @property
    def duty_assessed_at_import(self) -> bool:
        return self.snapshot.customs.needs_manual_assessment

    @property
    def manual_reason(self) -> str:
        return self.snapshot.customs.manual_reason

    @property
    def rows(self) -> list[dict]:
        return quote_rows(goods=self.goods, shipping=self.shipping, duties=self.duties_estimate,
                          days=self.shipping_days, manual_reason=self.manual_reason,
                          some_duty=self.snapshot.customs.duty.amount > 0)

    @property
    def breakdown(self) -> list[dict]:
        """The product page's rows: goods, shipping, then the duty and each import tax and fee that make
        up the duties estimate. A duty under manual assessment reads "Duty assessed at import", with why."""
        customs = self.snapshot.customs
        if self.duty_assessed_at_import:
            duty = {"label": _("Duty"), "text": DUTY_AT_IMPORT, "note": self.manual_reason, "manual": True}
        else:
            duty = {"label": _("Duty"), "money": customs.duty}
        rows = [*self.rows[:2], duty]
        # "VAT (reduced rate 7%: foodstuffs, ...)" reads as "VAT 7%"; the explanation says which rate and why
        rows += [{"label": tax.name.partition(" (")[0], "money": tax.amount,
                  "note": f"{format(tax.rate.normalize(), 'f')}%"} for tax in customs.taxes]
        rows += [{"label": fee.name, "money": fee.amount} for fee in customs.fees]
        return rows


DUTY_AT_IMPORT = _("Duty assessed at import")
PLUS_DUTY_AT_IMPORT = _("plus duty assessed at import")


def quote_rows(*, goods: Money, shipping: Money, duties: Money, days: tuple[int, int],
               manual_reason: str = "", some_duty: bool = False) -> list[dict]:
    """A landed cost's parts as labelled rows (breakdown tables and catalog cards). Where a duty is under
    manual assessment (`manual_reason`), the import taxes stand alone and the duty row says it is assessed
    at import: a row has `text` (and `manual`) instead of `money`. `some_duty`: other lines' duty is known
    and in `duties`."""
    rows = [
        {"label": _("Goods"), "money": goods},
        {"label": _("Shipping"), "money": shipping,
         "note": _("%(min)s–%(max)s days") % {"min": days[0], "max": days[1]}},
    ]
    if manual_reason:
        label = _("Duty of the other lines and import taxes") if some_duty else _("Import taxes")
        return [*rows, {"label": label, "money": duties},
                {"label": _("Duty"), "text": DUTY_AT_IMPORT, "note": manual_reason, "manual": True}]
    return [*rows, {"label": _("Duty and import taxes"), "money": duties}]


@dataclass(frozen=True)
class ListingToQuote:
    """A listing and how many of it a buyer wants (the engine's own lines, HS code and value, are made from it)."""

    listing: object  # a Listing with its company
    quantity: int
    unit_price: Money | None = None  # an accepted quotation's price; None = the listing's tiers


def buyer_is_consumer(buyer) -> bool:
    """A signed-in buyer without a company buys as a consumer (China's cross-border e-commerce retail channel
    is for consumers); anyone else as a business. One query per user object (company_of)."""
    return bool(getattr(buyer, "is_authenticated", False)) and company_of(buyer) is None


def consumer_regimes(destination: str) -> list:
    """The customs regimes in force today at the destination that only consumers may use (China's
    cross-border e-commerce retail import); none for most destinations. No query (the cached tariff book)."""
    regime = tariff_book().destination(destination)
    today = timezone.localdate()
    return [s for s in regime.special_regimes if s.buyers == "consumer" and s.in_force(today)] if regime else []


def consumer_channel_value(snapshot: QuoteSnapshot, regimes: list) -> Money | None:
    """What an order's locked quote counts toward a consumer-only regime's annual limit: the value the
    regime tests (the dutiable price for CN CBEC) when the order's lines went through it, else None."""
    for regime in regimes:
        if any(line.rule == "de_minimis" and line.reason.startswith(f"{regime.code}:")
               for line in snapshot.customs.lines):
            return snapshot.customs.customs_value if regime.value_basis == "customs_value" else snapshot.goods
    return None


# Orders that are purchases (paid, whatever happened next short of a cancellation or refund).
PURCHASED = ("paid", "shipped", "delivered", "completed")


def consumer_year_to_date(buyer, *, destination: str) -> Money | None:
    """A consumer's purchases this calendar year (UTC) through the destination's consumer-only regime, in the
    destination's currency at today's reference rates: their paid orders shipped there on this platform (what
    they bought elsewhere is not known to us). None where the destination has no such regime. One query."""
    from marketplace.models import Order

    regimes = consumer_regimes(destination)
    if not regimes:
        return None
    fx, currency = fx_table(), destination_currency(destination)
    year_start = timezone.now().replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    total = Money.zero(currency)
    for snapshot in (Order.objects.filter(buyer=buyer, ship_country=destination, status__in=PURCHASED,
                                          created_at__gte=year_start).values_list("quote", flat=True)):
        value = consumer_channel_value(QuoteSnapshot.from_json(snapshot), regimes)
        if value is not None:
            total = total + fx.convert(value, currency).rounded()
    return total


def buyer_quoted_as(buyer, *, destination: str) -> dict:
    """How quotes treat this buyer, as `quote_lines` keywords: consumer or not, and a consumer's purchases
    this year through the destination's consumer-only regime. At most two queries."""
    consumer = buyer_is_consumer(buyer)
    return {"consumer": consumer,
            "consumer_year_to_date": consumer_year_to_date(buyer, destination=destination) if consumer else None}


def origin_declarations(listings) -> dict[int, dict]:
    """The sellers' origin declarations of these listings as the customs engine reads them, by listing id:
    from `select_related("origin_declaration")` where the query had it, else in one query."""
    from marketplace.models import ListingOriginDeclaration

    found, unknown = {}, []
    for listing in listings:
        if "origin_declaration" in listing._state.fields_cache:
            declaration = listing._state.fields_cache["origin_declaration"]
            if declaration is not None:
                found[listing.pk] = declaration.as_json(currency=listing.currency)
        else:
            unknown.append(listing)
    if unknown:
        by_id = {listing.pk: listing for listing in unknown}
        for declaration in ListingOriginDeclaration.objects.filter(listing_id__in=by_id):
            found[declaration.listing_id] = declaration.as_json(currency=by_id[declaration.listing_id].currency)
    return found


def quote_order(*, listing, quantity: int, destination: str, currency: str | None, incoterm: str = "DDP",
                unit_price: Money | None = None, consumer: bool = False,
                consumer_year_to_date: Money | None = None) -> OrderQuote:
    return quote_lines(lines=[ListingToQuote(listing, quantity, unit_price)], destination=destination, currency=currency,
                       incoterm=incoterm, consumer=consumer, consumer_year_to_date=consumer_year_to_date)


def quote_lines(*, lines: list[ListingToQuote], destination: str, currency: str | None, incoterm: str = "DDP",
                consumer: bool = False, consumer_year_to_date: Money | None = None) -> OrderQuote:
    """One seller's lines shipped together in one parcel: goods at their tier (or quoted) price, the
    cheapest shipping and the customs duties and taxes, in the buyer's currency. `consumer`: the buyer has no
    company (see buyer_is_consumer), which opens consumer-only customs channels, within their limits given
    what the consumer bought through them this year (`consumer_year_to_date`, see the function of that name)."""
    if not lines:
        raise ApplicationError("There is nothing to quote.", code="empty", field="lines")
    company = lines[0].listing.company
    if any(line.listing.company_id != company.pk for line in lines):
        raise ApplicationError("One quote covers one seller's goods.", code="mixed_sellers", field="lines")
    fx = fx_for_quote()
    seller_currency = company.currency
    currency = currency or destination_currency(destination)
    for code in (seller_currency, currency):
        if not fx.supports(code):
            raise ApplicationError(f"There is no reference exchange rate for {code}.", code="unsupported_currency",
                                   field="currency")
    priced = [(line.listing, line.quantity, line.unit_price or line.listing.unit_price_for(line.quantity))
              for line in lines]
    goods_seller = Money.zero(seller_currency)
    for _listing, quantity, unit in priced:
        goods_seller = goods_seller + fx.convert(unit * quantity, seller_currency).rounded()
    goods = fx.convert(goods_seller, currency).rounded()
    option = cheapest_option(
        origin=company.country, destination=destination,
        parcels=[{"weight_kg": sum(listing.weight_kg * quantity for listing, quantity, _unit in priced),
                  "length_cm": max(listing.length_cm for listing, _q, _u in priced),
                  "width_cm": max(listing.width_cm for listing, _q, _u in priced),
                  "height_cm": max(listing.height_cm for listing, _q, _u in priced)}],
        goods=[{"hs_code": listing.hs_code, "description": listing.title, "value": (unit * quantity).rounded()}
               for listing, quantity, unit in priced],
    )
    if option is None:
        raise ApplicationError(f"No carrier ships from {company.country} to {destination}.",
                               code="destination_not_served", field="destination")
    shipping = fx.convert(option.price, currency).rounded()
    declared = origin_declarations([listing for listing, _q, _u in priced])
    customs = landed_cost_quote(
        origin=priced[0][0].origin_country, destination=destination, incoterm=incoterm, currency=currency,
        shipping=shipping,
        lines=[{"hs_code": listing.hs_code, "description": listing.title, "quantity": quantity, "unit_value": unit,
                "net_weight_kg": listing.weight_kg * quantity, "origin": listing.origin_country,
                # a listing whose seller declared its materials claims the preference its rule of origin allows
                **({"claim_preference": True, "origin_declaration": declared[listing.pk]}
                   if listing.pk in declared else {})}
               for listing, quantity, unit in priced],
        fx=fx, buyer_is_consumer=consumer, consumer_year_to_date=consumer_year_to_date if consumer else None,
    )
    duties = customs.total_duties_and_taxes
    payable_duties = duties if incoterm == "DDP" else Money.zero(currency)
    rate = fx.rate(seller_currency, currency)
    snapshot = QuoteSnapshot(
        currency=currency, goods=goods, goods_in_seller_currency=goods_seller,
        unit_prices=tuple({"listing": listing.pk, "quantity": quantity, "unit_price": unit.as_json()}
                          for listing, quantity, unit in priced),
        shipping=shipping, shipping_service=option.code, shipping_service_name=option.service_name,
        shipping_days=(option.transit_days_min, option.transit_days_max), duties_estimate=duties,
        duties_payable_now=payable_duties, total_payable_now=goods + shipping + payable_duties,
        landed_cost=goods + shipping + duties, incoterm=incoterm, buyer="consumer" if consumer else "business",
        fx=FxUsed(base=seller_currency, quote=currency, rate=rate.rate.quantize(Decimal("1e-8")), as_of=rate.as_of,
                  source=rate.source),
        customs=customs._replace(restrictions=()))  # checked again at every quote, so not kept
    return OrderQuote(
        destination=destination, currency=currency, goods=goods, shipping=shipping, duties_estimate=duties,
        duties_payable_now=payable_duties, total_payable_now=goods + shipping + payable_duties,
        landed_cost=goods + shipping + duties, shipping_service=option.code,
        shipping_days=(option.transit_days_min, option.transit_days_max), snapshot=snapshot,
    )
