"""Landed cost of marketplace goods: the price, the cheapest shipping (logistics) and the duty,
taxes and fees (customs), in the buyer's currency. Marketplace asks; the other apps answer."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from customs.selectors import destination_currency, landed_cost_quote, quote_as_json
from ewtp.exceptions import ApplicationError
from ewtp.fx import fx_table
from ewtp.money import Money
from logistics.selectors import cheapest_option


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
    snapshot: dict

    @property
    def total(self) -> Money:
        return self.landed_cost

    @property
    def country(self) -> str:
        return self.destination

    @property
    def rows(self) -> list[dict]:
        return quote_rows(goods=self.goods, shipping=self.shipping, duties=self.duties_estimate,
                          days=self.shipping_days)

    @property
    def breakdown(self) -> list[dict]:
        """The product page's rows: goods, shipping, then the duty and each import tax and fee that make
        up the duties estimate."""
        customs = self.snapshot["customs"]
        rows = [*self.rows[:2], {"label": _("Duty"), "money": _money(customs["duty"])}]
        rows += [{"label": tax["name"], "money": _money(tax["amount"]), "note": f"{tax['rate']}%"}
                 for tax in customs["taxes"]]
        rows += [{"label": fee["name"], "money": _money(fee["amount"])} for fee in customs["fees"]]
        return rows


def _money(data: dict) -> Money:
    return Money(Decimal(data["amount"]), data["currency"])


def quote_rows(*, goods: Money, shipping: Money, duties: Money, days: tuple[int, int]) -> list[dict]:
    """A landed cost's parts as labelled rows (breakdown tables and catalog cards)."""
    return [
        {"label": _("Goods"), "money": goods},
        {"label": _("Shipping"), "money": shipping,
         "note": _("%(min)s–%(max)s days") % {"min": days[0], "max": days[1]}},
        {"label": _("Duty and import taxes"), "money": duties},
    ]


@dataclass(frozen=True)
class QuoteLine:
    listing: object  # a Listing with its company
    quantity: int
    unit_price: Money | None = None  # an accepted quotation's price; None = the listing's tiers


def quote_order(*, listing, quantity: int, destination: str, currency: str | None, incoterm: str = "DDP",
                unit_price: Money | None = None) -> OrderQuote:
    return quote_lines(lines=[QuoteLine(listing, quantity, unit_price)], destination=destination, currency=currency,
                       incoterm=incoterm)


def quote_lines(*, lines: list[QuoteLine], destination: str, currency: str | None, incoterm: str = "DDP") -> OrderQuote:
    """One seller's lines shipped together in one parcel: goods at their tier (or quoted) price, the
    cheapest shipping and the customs duties and taxes, in the buyer's currency."""
    if not lines:
        raise ApplicationError("There is nothing to quote.", code="empty", field="lines")
    company = lines[0].listing.company
    if any(line.listing.company_id != company.pk for line in lines):
        raise ApplicationError("One quote covers one seller's goods.", code="mixed_sellers", field="lines")
    fx = fx_table()
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
    customs = landed_cost_quote(
        origin=priced[0][0].origin_country, destination=destination, incoterm=incoterm, currency=currency,
        shipping=shipping,
        lines=[{"hs_code": listing.hs_code, "description": listing.title, "quantity": quantity, "unit_value": unit,
                "net_weight_kg": listing.weight_kg * quantity, "origin": listing.origin_country}
               for listing, quantity, unit in priced],
        fx=fx,
    )
    duties = customs.total_duties_and_taxes
    payable_duties = duties if incoterm == "DDP" else Money.zero(currency)
    rate = fx.rate(seller_currency, currency)
    snapshot = {
        "currency": currency,
        "goods": goods.as_json(),
        "goods_in_seller_currency": goods_seller.as_json(),
        "unit_prices": [{"listing": listing.pk, "quantity": quantity, "unit_price": unit.as_json()}
                        for listing, quantity, unit in priced],
        "shipping": shipping.as_json(),
        "shipping_service": option.code,
        "shipping_service_name": option.service_name,
        "shipping_days": [option.transit_days_min, option.transit_days_max],
        "duties_estimate": duties.as_json(),
        "duties_payable_now": payable_duties.as_json(),
        "total_payable_now": (goods + shipping + payable_duties).as_json(),
        "landed_cost": (goods + shipping + duties).as_json(),
        "incoterm": incoterm,
        "fx": {"base": seller_currency, "quote": currency, "rate": str(rate.rate.quantize(Decimal("1e-8"))),
               "as_of": rate.as_of.isoformat(), "source": rate.source},
        "customs": quote_as_json(customs),
    }
    return OrderQuote(
        destination=destination, currency=currency, goods=goods, shipping=shipping, duties_estimate=duties,
        duties_payable_now=payable_duties, total_payable_now=goods + shipping + payable_duties,
        landed_cost=goods + shipping + duties, shipping_service=option.code,
        shipping_days=(option.transit_days_min, option.transit_days_max), snapshot=snapshot,
    )
