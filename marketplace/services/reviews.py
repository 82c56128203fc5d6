"""Reviews of sellers: a buyer reviews the seller of an order once it is delivered (one review per order);
the seller replies once. Refusals change nothing."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.selectors import company_get
from ewtp.exceptions import ApplicationError, Conflict, NotFound
from marketplace.models import Order, Review

TEXT_MAX_CHARS = 2000
REVIEWABLE = (Order.Status.DELIVERED, Order.Status.COMPLETED)


def _text(body, field: str) -> str:
    if not isinstance(body, str) or not body.strip():
        raise ApplicationError(_("Write a few words."), code="required", field=field)
    body = body.strip()
    if len(body) > TEXT_MAX_CHARS:
        raise ApplicationError(format_lazy(_("Keep it to {limit} characters or fewer (it has {count})."),
                                           limit=f"{TEXT_MAX_CHARS:,}", count=f"{len(body):,}"),
                               code="too_long", field=field)
    return body


def review_create(*, buyer, order_id: int, rating, body) -> Review:
    """The buyer's review of the order's seller. NotFound unless the order is the buyer's; 409
    `not_delivered` before delivery, `already_reviewed` for a second review of the order."""
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ApplicationError(_("Give a rating from 1 to 5 stars."), code="invalid_rating", field="rating")
    body = _text(body, "body")
    with transaction.atomic():
        order = (Order.objects.select_for_update().filter(pk=order_id, buyer_id=getattr(buyer, "pk", None))
                 .first() if isinstance(order_id, int) else None)
        if order is None:
            raise NotFound(_("No such order."))
        if Review.objects.filter(order=order).exists():
            raise Conflict(_("You have already reviewed this order."), code="already_reviewed", field="order")
        if order.status not in REVIEWABLE:
            raise Conflict(_("You can review the seller once the order is delivered."), code="not_delivered",
                           field="order")
        line = order.lines.order_by("id").first()
        return Review.objects.create(order=order, company_id=order.company_id, listing_id=line.listing_id,
                                     author=buyer, rating=rating, body=body)


def review_reply(*, user, review_id: int, body) -> Review:
    """The seller's one reply to a review of their company. NotFound for anyone else; 409 `already_replied`."""
    body = _text(body, "reply")
    company = company_get(user) if getattr(user, "is_authenticated", False) else None
    with transaction.atomic():
        review = (Review.objects.select_for_update().filter(pk=review_id, company=company).first()
                  if company is not None and isinstance(review_id, int) else None)
        if review is None:
            raise NotFound(_("No such review."))
        if review.reply:
            raise Conflict(_("You have already replied to this review."), code="already_replied", field="reply")
        review.reply, review.replied_at = body, timezone.now()
        review.save(update_fields=["reply", "replied_at"])
    return review
