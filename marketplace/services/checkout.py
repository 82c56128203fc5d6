"""Checkout: seller orders placed together (a cart, or one listing bought now) with one payment; the
locked quote, re-quoting a quote that no longer holds, and paying."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from accounts.selectors import company_of
from customs.compliance import goods_restrictions, is_excluded, parties_screen
from customs.domain.compliance import split_notices, uncleared
from customs.selectors import destination_currency
from ewtp.exceptions import ApplicationError, Conflict, NotFound
from ewtp.money import Money
from marketplace.domain.quote_snapshot import QuoteSnapshot
from marketplace.domain.references import build_checkout_reference
from marketplace.models import (
    Cart,
    Checkout,
    ComplianceHold,
    Listing,
    Order,
    OrderEvent,
    OrderLine,
    ShippingAddress,
)
from marketplace.pricing import ListingToQuote, buyer_quoted_as, quote_lines
from marketplace.selectors import CheckoutDetail, checkout_detail
from marketplace.services.listings import check_b2b, check_quantity
from marketplace.signals import checkout_held, order_placed, send_on_commit
from payments.models import Payment
from payments.services import Share, payment_confirm, payment_create, payment_reprice


def _check_buyer(buyer: User, incoterm: str) -> None:
    if not buyer.country or not buyer.address_line or not buyer.city:
        raise ApplicationError("Add your shipping address to your profile first.", code="address_required",
                               field="address_line")
    if incoterm not in Order.Incoterm.values:
        raise ApplicationError("Choose DDP or DAP.", code="invalid_incoterm", field="incoterm")


def order_place(*, buyer: User, listing_id: int, quantity: int, idempotency_key: str | None = None,
                incoterm: str = "DDP", accept_dap: bool = False) -> Order:
    """Lock the quote and reserve the stock. The same idempotency key returns the same order. A DDP
    order whose duty is under manual assessment is refused (ManualAssessmentRequired) unless the buyer
    accepts DAP for it (`accept_dap`)."""
    _check_buyer(buyer, incoterm)
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise ApplicationError("Order at least one unit.", code="invalid_quantity", field="quantity")
    key = idempotency_key or uuid.uuid4().hex
    with transaction.atomic():
        existing = Order.objects.filter(buyer=buyer, idempotency_key=key).first()
        if existing:
            return existing
        listing = Listing.objects.select_for_update().select_related("company").filter(
            pk=listing_id, status=Listing.Status.PUBLISHED).first()
        if listing is None:
            raise NotFound("This product is not for sale.", field="listing")
        screening = _screen_buyer(buyer)
        order = _order_create(buyer=buyer, items=[(listing, quantity, None)], incoterm=incoterm, key=key,
                              accept_dap=accept_dap, held=screening.held)
        _checkout_create(buyer=buyer, orders=[order], screening=screening)
        return order


def _share(order: Order):
    return Share(reference=order.reference, company_id=order.company_id, total=order.total,
                 duties=Money(order.duties_amount, order.currency))


class BuyerScreening:
    """Denied-party screening of a checkout's parties: the buyer, the ship-to and the buyer's company."""

    def __init__(self, hits: list[dict], flagged_account: bool) -> None:
        self.hits = hits
        self.flagged_account = flagged_account

    @property
    def held(self) -> bool:
        return bool(self.hits) or self.flagged_account


def _screen_buyer(buyer: User) -> BuyerScreening:
    """Screen the buyer, the ship-to party and the buyer's company (if any) against the denied-party
    lists, leaving out matches staff cleared for this buyer before; an account flagged at sign-up and
    not cleared is held whatever the names say."""
    screening, cleared = User.objects.filter(pk=buyer.pk).values_list("screening", "screening_hits").get()
    parties = [("buyer", buyer.full_name, buyer.country)]
    # The recipient of the default ship-to address (the one checkout ships to), when the buyer keeps one.
    recipient = ShippingAddress.objects.filter(user=buyer, is_default=True).values_list("name", "country").first()
    if recipient:
        parties.append(("ship-to", *recipient))
    company = company_of(buyer)
    if company is not None:
        parties.append(("buyer company", company.legal_name, company.country))
    hits = [hit.as_json() for hit in parties_screen(parties)]
    if screening == User.Screening.CLEARED:
        hits = uncleared(hits, cleared)
    return BuyerScreening(hits, flagged_account=screening == User.Screening.FLAGGED)


def _checkout_create(*, buyer: User, orders: list[Order], screening: BuyerScreening) -> Checkout:
    """The checkout of orders just made, named after the first, with its one payment (each order's
    share in it); the orders point to it. A checkout held for compliance gets no payment (no
    PaymentIntent at the provider) until staff clear it: a ComplianceHold instead. Runs inside the
    caller's transaction."""
    reference = build_checkout_reference(orders[0].pk)
    payment = None
    if not screening.held:
        payment = payment_create(reference=reference, buyer=buyer, shares=[_share(o) for o in orders],
                                 destination=orders[0].ship_country, idempotency_key=f"checkout:{orders[0].pk}")
    checkout = Checkout.objects.create(reference=reference, buyer=buyer, payment=payment)
    Order.objects.filter(pk__in=[order.pk for order in orders]).update(checkout=checkout)
    for order in orders:
        order.checkout = checkout
    if screening.held:
        hold = ComplianceHold.objects.create(checkout=checkout, hits=screening.hits,
                                             flagged_account=screening.flagged_account)
        transaction.on_commit(lambda: checkout_held.send(sender=ComplianceHold, hold=hold, reference=reference,
                                                         buyer_id=buyer.pk))
    return checkout


def _checkout_lock(*, buyer: User, reference: str) -> Checkout:
    """The buyer's checkout, then its payment, locked FOR UPDATE. Whoever pays, re-quotes, cancels or
    decides a compliance hold on a checkout takes this lock first, so that they queue; then the orders
    (`_orders_lock`), as payments' webhooks lock a payment then its orders."""
    checkout = checkout_with_payment_lock(Checkout.objects.filter(reference=reference, buyer=buyer))
    if checkout is None:
        raise NotFound("No such checkout.")
    return checkout


def checkout_with_payment_lock(checkouts) -> Checkout | None:
    """The first of `checkouts` and its payment, locked FOR UPDATE in one statement when it has a payment
    (an inner join: PostgreSQL locks no row on the nullable side of an outer join), so that once the lock is
    ours we read what the one before us committed. A checkout held for compliance has no payment: it is
    locked alone, and its payment too if staff cleared it while we waited."""
    checkout = (checkouts.select_for_update(of=("self", "payment")).select_related("payment")
                .filter(payment__status__isnull=False).first())
    if checkout is None:
        checkout = checkouts.select_for_update().first()
        if checkout is not None and checkout.payment_id is not None:
            checkout.payment = Payment.objects.select_for_update().get(pk=checkout.payment_id)
    return checkout


def _orders_lock(checkout: Checkout) -> CheckoutDetail:
    """The locked, unpaid checkout with its orders, locked in turn (a paid checkout's orders are the
    sellers' and the webhooks' to move: paying never locks them)."""
    return checkout_detail(checkout, orders=checkout.orders.select_for_update(of=("self",))
                           .select_related("company").order_by("pk"))


class ManualAssessmentRequired(Conflict):
    """A DDP order has lines whose duty customs assesses at import (manual assessment): it cannot be paid
    in full now. The buyer accepts DAP for it (duties payable on delivery) or the order is not placed."""

    def __init__(self, lines: list[dict]) -> None:
        named = ", ".join(f"{line['description']} (HS {line['hs_code']})" for line in lines)
        super().__init__(f"The duty on {named} is assessed by customs at import, so it cannot be paid now (DDP): "
                         "accept DAP for this order (duties and taxes payable on delivery) or remove it.",
                         code="manual_assessment", field="accept_dap")
        self.lines = lines

    def as_json(self) -> dict:
        data = super().as_json()
        data["error"]["lines"] = self.lines
        return data


def _check_ships_to(listing: Listing, country: str) -> None:
    """The listing ships to the buyer's country and the country does not prohibit the goods (the
    authority's wording, from the tariff book)."""
    if is_excluded(country, listing.does_not_ship_to or []):
        raise Conflict(f"{listing.title} is not shipped to {country} by its seller.", code="not_shipped_to",
                       field="listing")
    prohibited, _licences = split_notices(goods_restrictions(hs_code=listing.hs_code, origin=listing.origin_country,
                                                             destinations=[country]))
    if prohibited:
        notice = prohibited[0]
        raise Conflict(f"{listing.title} cannot be imported into {country}: {notice.authority}: "
                       f"\u201c{notice.wording}\u201d", code="prohibited_destination", field="listing")


def _order_create(*, buyer: User, items: list[tuple], incoterm: str, key: str, accept_dap: bool = False,
                  held: bool = False) -> Order:
    """One seller's order from locked listings: check, quote, take the stock, record.
    `items` are (listing locked FOR UPDATE, quantity, quotation or None). Runs inside the caller's transaction.
    DDP is never charged with a duty missing: a DDP order with a line under manual assessment raises
    ManualAssessmentRequired, or with `accept_dap` is quoted and stored as DAP, saying why."""
    company = items[0][0].company
    if company.members.filter(user=buyer).exists():
        raise Conflict("You cannot buy your own company's goods.", code="own_listing", field="listing")
    for listing, quantity, quotation in items:
        check_quantity(listing, quantity, quoted=quotation is not None)
        check_b2b(listing, buyer)
        _check_ships_to(listing, buyer.country)
    quote_input = [ListingToQuote(listing, quantity, quotation.unit_price if quotation else None)
                   for listing, quantity, quotation in items]
    as_buyer = buyer_quoted_as(buyer, destination=buyer.country)  # as the catalog and product page quoted them
    quote = quote_lines(lines=quote_input, destination=buyer.country, currency=buyer.preferred_currency or None,
                        incoterm=incoterm, **as_buyer)
    dap_note = ""
    snapshot = quote.snapshot
    if incoterm == Order.Incoterm.DDP and quote.duty_assessed_at_import:
        manual = [{**line, "seller": company.legal_name} for line in quote.manual_lines]
        if not accept_dap:
            raise ManualAssessmentRequired(manual)
        incoterm = Order.Incoterm.DAP
        quote = quote_lines(lines=quote_input, destination=buyer.country, currency=buyer.preferred_currency or None,
                            incoterm=incoterm, **as_buyer)
        snapshot = quote.snapshot.but(dap_accepted={"asked": "DDP", "lines": manual, "reason": quote.manual_reason})
        dap_note = (" Asked for DDP; the buyer accepted DAP because customs assesses the duty at import: "
                    + quote.manual_reason)[:400]
    order = Order.objects.create(
        buyer=buyer, company=company, incoterm=incoterm, idempotency_key=key,
        status=Order.Status.COMPLIANCE_HOLD if held else Order.Status.PENDING_PAYMENT,
        ship_name=buyer.full_name or buyer.email, ship_address=buyer.address_line, ship_city=buyer.city,
        ship_postcode=buyer.postcode, ship_country=buyer.country, currency=quote.currency,
        goods_amount=quote.goods.amount, shipping_amount=quote.shipping.amount,
        duties_amount=quote.duties_payable_now.amount, total_amount=quote.total_payable_now.amount,
        quote=snapshot.to_json(), quote_expires_at=timezone.now() + timedelta(minutes=settings.QUOTE_VALIDITY_MINUTES),
        shipping_service=quote.shipping_service,
    )
    for listing, quantity, quotation in items:
        unit = quotation.unit_price if quotation else listing.unit_price_for(quantity)
        listing.stock -= quantity
        listing.save(update_fields=["stock", "updated_at"])
        OrderLine.objects.create(order=order, listing=listing, quantity=quantity, description=listing.title,
                                 hs_code=listing.hs_code, origin_country=listing.origin_country,
                                 unit_price_amount=unit.amount, currency=unit.currency,
                                 unit_weight_kg=listing.weight_kg)
    held_note = " Held for a compliance review before payment." if held else ""
    OrderEvent.objects.create(order=order, to_status=order.status, actor=buyer,
                              note=("Quote locked." + held_note + dap_note)[:500])
    if not held:  # a held checkout is told by checkout_held; its orders are placed when staff clear it
        send_on_commit(order_placed, order=order)
    return order


class QuoteChanged(Conflict):
    """The checkout was re-quoted and a figure changed: the buyer must confirm the new total."""

    def __init__(self, changes: list[dict]) -> None:
        super().__init__("The quote has changed since you checked out: confirm the new total to pay.",
                         code="quote_changed")
        self.changes = changes


def _quote_figures(snapshot: QuoteSnapshot) -> dict[str, dict]:
    """The figures a buyer compares when a quote changes, each as Money JSON."""
    return {name: money.as_json() for name, money in snapshot.figures().items()}


def _quote_stale(order: Order, buyer: User, now) -> bool:
    """The locked quote no longer holds: it expired, or the buyer moved the ship-to or changed currency."""
    currency = buyer.preferred_currency or destination_currency(buyer.country)
    return (order.quote_expires_at <= now or order.currency != currency
            or (order.ship_country, order.ship_address, order.ship_city, order.ship_postcode)
            != (buyer.country, buyer.address_line, buyer.city, buyer.postcode))


def _requote(checkout: CheckoutDetail, buyer: User) -> list[dict]:
    """Re-quote every order of the locked, unpaid checkout if one's quote no longer holds (expired, or
    the ship-to or currency changed): the seller's unit prices stay; FX, shipping, duty and taxes are
    quoted afresh, the payment takes the new total. Returns what changed, per order (nothing when the
    figures are the same)."""
    now = timezone.now()
    if not checkout.payable or not any(_quote_stale(order, buyer, now) for order in checkout.orders):
        return []
    _check_buyer(buyer, checkout.orders[0].incoterm)
    changes = []
    as_buyer = buyer_quoted_as(buyer, destination=buyer.country)
    for order in checkout.orders:
        lines = list(order.lines.select_related("listing", "listing__company"))
        quote_input = [ListingToQuote(line.listing, line.quantity, line.unit_price) for line in lines]
        quote = quote_lines(lines=quote_input, destination=buyer.country, **as_buyer,
                            currency=buyer.preferred_currency or None, incoterm=order.incoterm)
        incoterm_change = None
        old, snapshot = order.snapshot, quote.snapshot
        if order.incoterm == Order.Incoterm.DDP and quote.duty_assessed_at_import:
            # Never DDP with a duty missing: the new quote is DAP, and the buyer confirms it (QuoteChanged).
            quote = quote_lines(lines=quote_input, destination=buyer.country, **as_buyer,
                                currency=buyer.preferred_currency or None, incoterm=Order.Incoterm.DAP)
            snapshot = quote.snapshot.but(dap_accepted={"asked": "DDP", "lines": quote.manual_lines,
                                                        "reason": quote.manual_reason})
            incoterm_change = {"old": order.incoterm, "new": Order.Incoterm.DAP, "reason": quote.manual_reason}
            order.incoterm = Order.Incoterm.DAP
        elif old.dap_accepted:
            snapshot = snapshot.but(dap_accepted=old.dap_accepted)
        before, after = _quote_figures(old), _quote_figures(snapshot)
        change = {"order": order.reference, "seller": order.company.legal_name,
                  "figures": [{"name": name, "old": before[name], "new": after[name]} for name in before],
                  "fx_old": old.fx.to_json(), "fx_new": snapshot.fx.to_json()}
        if incoterm_change:
            change["incoterm"] = incoterm_change
        changed = before != after or incoterm_change is not None
        order.ship_address, order.ship_city, order.ship_postcode, order.ship_country = (
            buyer.address_line, buyer.city, buyer.postcode, buyer.country)
        order.currency = quote.currency
        order.goods_amount, order.shipping_amount = quote.goods.amount, quote.shipping.amount
        order.duties_amount, order.total_amount = quote.duties_payable_now.amount, quote.total_payable_now.amount
        order.quote = snapshot.but(requoted=change if changed else None).to_json()
        order.quote_expires_at = now + timedelta(minutes=settings.QUOTE_VALIDITY_MINUTES)
        order.shipping_service = quote.shipping_service
        order.save()
        OrderEvent.objects.create(order=order, from_status=order.status, to_status=order.status, actor=buyer,
                                  note=f"Re-quoted: total {before['total']['amount']} {before['total']['currency']}"
                                       f" → {quote.total_payable_now}.")
        if changed:
            changes.append(change)
    checkout.payment = payment_reprice(payment_id=checkout.payment.pk, shares=[_share(o) for o in checkout.orders],
                                       destination=buyer.country)
    return changes


def _check_chargeable(checkout: CheckoutDetail, expected_total: Money | None) -> None:
    """The locked, unpaid checkout can be charged what the buyer saw: it is not cancelled, and the
    total they confirmed is the server's own. No amount from the client is ever charged: it is only compared."""
    if not checkout.payable and not checkout.awaiting_authentication:
        raise Conflict("This checkout was cancelled (its quote expired unpaid and the stock was released): "
                       "check out again.", code="checkout_cancelled")
    if expected_total is not None:
        if expected_total.currency != checkout.payment.currency:
            raise ApplicationError(f"This checkout is paid in {checkout.payment.currency}.",
                                   code="currency_mismatch", field="currency")
        if expected_total.rounded() != checkout.total:
            raise Conflict(f"The total you confirmed ({expected_total}) is not this checkout's total "
                           f"({checkout.total}): reload the page.", code="total_mismatch", field="amount")


def _check_not_held(checkout: Checkout) -> None:
    """A checkout held for compliance (or refused there) has no payment: nothing can be charged."""
    if checkout.payment_id is None:
        hold = ComplianceHold.objects.filter(checkout=checkout).values_list("status", flat=True).first()
        if hold == ComplianceHold.Status.REFUSED:
            raise Conflict("This checkout was refused at the compliance review and cancelled; nothing was charged.",
                           code="compliance_refused")
        raise Conflict("This checkout waits for a compliance review: you can pay once our staff have cleared it. "
                       "Nothing has been charged.", code="compliance_hold")


def checkout_prepare(*, buyer: User, reference: str, expected_total: Money | None = None) -> CheckoutDetail:
    """Make sure the checkout can be charged what the buyer saw, before Stripe.js confirms it with
    Stripe: re-quote it if its quote no longer holds (raising QuoteChanged when a figure moved, the new
    quote kept), and refuse a cancelled checkout or a total or currency other than the server's own.
    A paid checkout is returned as it is."""
    with transaction.atomic():
        locked = _checkout_lock(buyer=buyer, reference=reference)
        _check_not_held(locked)
        if locked.payment.status == Payment.Status.SUCCEEDED:
            return checkout_detail(locked)  # a replayed submit: paid already, nothing more happens
        checkout = _orders_lock(locked)
        changes = _requote(checkout, buyer)
        if not changes:
            _check_chargeable(checkout, expected_total)
            return checkout
    raise QuoteChanged(changes)  # after the commit: the new quote is kept for the buyer to confirm


def checkout_pay(*, buyer: User, reference: str, expected_total: Money | None = None, card_number: str = "",
                 payment_method: str = "") -> Payment:
    """Pay every order of a checkout in one payment; success marks them all paid (by signal). In one
    transaction: lock the checkout; paid already (a second tab, a replayed submit) returns its payment
    and moves no more money; else lock its orders, re-quote them if the quote no longer holds
    (QuoteChanged, committed, when a figure moved), check the total the buyer confirmed, take the stock
    again if an earlier payment failed (or say what sold out), and confirm the payment."""
    with transaction.atomic():
        locked = _checkout_lock(buyer=buyer, reference=reference)
        _check_not_held(locked)
        if locked.payment.status == Payment.Status.SUCCEEDED:
            return locked.payment
        checkout = _orders_lock(locked)
        changes = _requote(checkout, buyer)
        if not changes:
            _check_chargeable(checkout, expected_total)
            if checkout.payment.provider == "sandbox" and not card_number.strip():
                raise ApplicationError("Enter a card number.", code="required", field="card_number")
            for order in checkout.orders:
                _reserve_stock(order)
            return payment_confirm(payment_id=checkout.payment.pk, buyer=buyer, card_number=card_number,
                                   payment_method=payment_method, amount=checkout.total)
    raise QuoteChanged(changes)  # after the commit: the new quote is kept for the buyer to confirm, then pay


def _reserve_stock(order: Order) -> None:
    """Take the stock of an unpaid order whose earlier payment failed (the order is locked)."""
    if order.stock_reserved or order.status != Order.Status.PENDING_PAYMENT:
        return
    lines = list(order.lines.all())
    listings = {listing.pk: listing for listing in Listing.objects.select_for_update().filter(
        pk__in=[line.listing_id for line in lines]).order_by("pk")}
    for line in lines:
        if listings[line.listing_id].stock < line.quantity:
            raise Conflict(f"{line.description} sold out while your payment was refused; "
                           "check out again for what is left.", code="out_of_stock", field="cart")
    for line in lines:
        Listing.objects.filter(pk=line.listing_id).update(stock=F("stock") - line.quantity)
    order.stock_reserved = True
    order.save(update_fields=["stock_reserved", "updated_at"])
    OrderEvent.objects.create(order=order, from_status=order.status, to_status=order.status,
                              note="Stock reserved again for a new payment.")


def order_pay(*, buyer: User, order_id: int, card_number: str) -> Payment:
    """Pay the checkout an order was placed in (all its seller orders: one payment)."""
    order = Order.objects.select_related("checkout").filter(pk=order_id, buyer=buyer).first()
    if order is None or order.checkout is None:
        raise NotFound("No such order.")
    return checkout_pay(buyer=buyer, reference=order.checkout.reference, card_number=card_number)


def cart_checkout(*, buyer: User, incoterm: str = "DDP", idempotency_key: str | None = None,
                  accept_dap: bool = False) -> CheckoutDetail:
    """One order per seller from the buyer's cart and one payment for them all, all or nothing:
    every line is checked against the minimum order and stock under lock; the same key returns
    the same checkout. DDP seller orders with a duty under manual assessment: all their lines are
    named in one ManualAssessmentRequired, unless `accept_dap` (those orders become DAP)."""
    _check_buyer(buyer, incoterm)
    key = (idempotency_key or uuid.uuid4().hex)[:60]
    with transaction.atomic():
        done = (Order.objects.select_related("checkout__payment").filter(
            buyer=buyer, idempotency_key__startswith=f"cart:{key}:").order_by("pk").first())
        if done:
            return checkout_detail(done.checkout)
        cart = Cart.objects.select_for_update().filter(user=buyer).first()
        lines = list(cart.lines.select_related("quotation").order_by("listing_id", "pk")) if cart else []
        if not lines:
            raise ApplicationError("Your cart is empty.", code="empty_cart", field="cart")
        listings = {listing.pk: listing for listing in Listing.objects.select_for_update().select_related("company")
                    .filter(pk__in=[line.listing_id for line in lines]).order_by("pk")}
        by_seller: dict[int, list] = {}
        for line in lines:
            listing = listings[line.listing_id]
            if listing.status != Listing.Status.PUBLISHED:
                raise Conflict(f"{listing.title} is no longer for sale; remove it from your cart.",
                               code="not_for_sale", field="cart")
            if line.quotation and line.quotation.valid_until < timezone.now():
                raise Conflict(f"The quotation for {listing.title} has expired.", code="quotation_expired",
                               field="cart")
            by_seller.setdefault(listing.company_id, []).append((listing, line.quantity, line.quotation))
        orders, manual = [], []
        screening = _screen_buyer(buyer)
        for company_id, items in sorted(by_seller.items()):
            try:
                orders.append(_order_create(buyer=buyer, items=items, incoterm=incoterm,
                                            key=f"cart:{key}:{company_id}", accept_dap=accept_dap,
                                            held=screening.held))
            except ManualAssessmentRequired as exc:
                manual.extend(exc.lines)
        if manual:
            raise ManualAssessmentRequired(manual)  # rolls back the other sellers' orders too
        checkout = _checkout_create(buyer=buyer, orders=orders, screening=screening)
        cart.lines.all().delete()
        return checkout_detail(checkout)
