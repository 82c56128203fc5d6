"""Webhook reads for the seller's pages and API: always within the seller's company (another's → None)."""

from __future__ import annotations

from django.db.models import QuerySet

from webhooks.models import Delivery, Endpoint


def endpoints_for_company(*, company_id: int) -> QuerySet[Endpoint]:
    return Endpoint.objects.filter(company_id=company_id)


def endpoint_get(*, company_id: int, endpoint_id: int) -> Endpoint | None:
    return Endpoint.objects.filter(company_id=company_id, pk=endpoint_id).first()


def deliveries_for_company(*, company_id: int, endpoint_id: int | None = None,
                           status: str | None = None) -> QuerySet[Delivery]:
    deliveries = Delivery.objects.filter(endpoint__company_id=company_id).select_related("endpoint", "event")
    if endpoint_id is not None:
        deliveries = deliveries.filter(endpoint_id=endpoint_id)
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries


def delivery_get(*, company_id: int, delivery_id: int) -> Delivery | None:
    return (Delivery.objects.filter(endpoint__company_id=company_id, pk=delivery_id)
            .select_related("endpoint", "event").prefetch_related("attempts").first())
