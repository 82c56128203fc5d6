"""Thin API views for trade finance: sellers ask for an offer, accept it and follow their advances;
finance staff read the exposure."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.services import seller_company
from ewtp import roles
from ewtp.api import HasPermission, MoneyField
from ewtp.exceptions import NotFound
from ewtp.idempotency import idempotent
from finance import selectors, services
from finance.models import Advance, AdvanceOffer


def _money(amount, currency: str) -> dict:
    from ewtp.money import Money

    return Money(amount, currency).as_json()


def _offer_json(offer: AdvanceOffer) -> dict:
    return {"id": offer.id, "currency": offer.currency, "limit": offer.limit.as_json(),
            "outstanding": offer.outstanding.as_json(), "available": offer.available.as_json(),
            "eligible": offer.eligible.as_json(), "maximum": offer.maximum.as_json(),
            "fee_rate": f"{offer.fee_rate:.4f}", "term_days": offer.term_days, "orders": offer.terms["orders"],
            "limit_reasons": offer.terms.get("limit_reasons", []), "history": offer.terms.get("history", {}),
            "expires_at": offer.expires_at.isoformat(),
            "accepted_at": offer.accepted_at.isoformat() if offer.accepted_at else None}


def _advance_json(advance: Advance) -> dict:
    return {"id": advance.id, "reference": advance.reference, "offer": advance.offer_id, "status": advance.status,
            "at_risk": advance.at_risk, "at_risk_reason": advance.at_risk_reason, "amount": advance.total.as_json(),
            "fee": advance.fee.as_json(), "paid_out": advance.disbursed.as_json(), "repaid": advance.repaid.as_json(),
            "outstanding": advance.outstanding.as_json(), "due_at": advance.due_at.isoformat(),
            "provider": advance.provider, "transfer": advance.provider_id,
            "orders": [{"reference": o.order_reference, "stage": o.stage, "eligible": _money(o.eligible_amount,
                        advance.currency), "repaid": _money(o.repaid_amount, advance.currency),
                        "released": o.released} for o in advance.orders.all()],
            "history": [{"kind": e.kind, "order": e.order_reference, "note": e.note, "at": e.created_at.isoformat(),
                         "amount": e.money.as_json() if e.money else None} for e in advance.events.all()]}


OfferOut = inline_serializer("AdvanceOffer", {
    "id": serializers.IntegerField(), "currency": serializers.CharField(), "limit": MoneyField(),
    "outstanding": MoneyField(), "available": MoneyField(), "eligible": MoneyField(), "maximum": MoneyField(),
    "fee_rate": serializers.CharField(), "term_days": serializers.IntegerField(), "orders": serializers.ListField(),
    "limit_reasons": serializers.ListField(), "history": serializers.DictField(),
    "expires_at": serializers.DateTimeField(), "accepted_at": serializers.DateTimeField(allow_null=True)})
AdvanceOut = inline_serializer("Advance", {
    "id": serializers.IntegerField(), "reference": serializers.CharField(), "offer": serializers.IntegerField(),
    "status": serializers.ChoiceField(choices=Advance.Status.choices), "at_risk": serializers.BooleanField(),
    "at_risk_reason": serializers.CharField(), "amount": MoneyField(), "fee": MoneyField(), "paid_out": MoneyField(),
    "repaid": MoneyField(), "outstanding": MoneyField(), "due_at": serializers.DateTimeField(),
    "provider": serializers.CharField(), "transfer": serializers.CharField(), "orders": serializers.ListField(),
    "history": serializers.ListField()})


class LimitApi(APIView):
    """The seller's limit now, the history it comes from, and what it owes."""

    @extend_schema(responses=inline_serializer("AdvanceLimit", {
        "limit": MoneyField(), "outstanding": MoneyField(), "reasons": serializers.ListField(),
        "history": serializers.DictField()}))
    def get(self, request):
        company = seller_company(request.user)
        limit, history = selectors.seller_limit(company=company)
        return Response({
            "limit": limit.amount.as_json(), "reasons": list(limit.reasons),
            "outstanding": selectors.outstanding_for(company_id=company.pk, currency=company.currency).as_json(),
            "history": {"delivered_volume": history.delivered_volume.as_json(),
                        "delivered_orders": history.delivered_orders, "paid_orders": history.paid_orders,
                        "refunded_orders": history.refunded_orders, "customs_decided": history.customs_decided,
                        "customs_rejected": history.customs_rejected, "account_age_days": history.account_age_days}})


class OfferCreateApi(APIView):
    """Ask for an offer against some of your orders; nothing is paid until you accept it."""

    class OfferRequestSerializer(serializers.Serializer):
        orders = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**62), min_length=1,
                                       max_length=100)

    @extend_schema(request=OfferRequestSerializer, responses={201: OfferOut})
    @idempotent
    def post(self, request):
        data = self.OfferRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        offer = services.advance_offer_create(user=request.user, order_ids=data.validated_data["orders"])
        return Response(_offer_json(offer), status=status.HTTP_201_CREATED)


class OfferDetailApi(APIView):
    @extend_schema(responses=OfferOut)
    def get(self, request, pk: int):
        offer = selectors.offer_get(company_id=seller_company(request.user).pk, offer_id=pk)
        if offer is None:
            raise NotFound("No such offer.")
        return Response(_offer_json(offer))


class OfferAcceptApi(APIView):
    """Take an amount of the offer (at most its maximum): paid out at once, less the fee."""

    class OfferAcceptSerializer(serializers.Serializer):
        amount = MoneyField()

    @extend_schema(request=OfferAcceptSerializer, responses={201: AdvanceOut})
    @idempotent
    def post(self, request, pk: int):
        data = self.OfferAcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        advance = services.advance_accept(user=request.user, offer_id=pk, amount=data.validated_data["amount"])
        return Response(_advance_json(advance), status=status.HTTP_201_CREATED)


class AdvanceListApi(APIView):
    @extend_schema(operation_id="v1_finance_advances_list", responses=inline_serializer("Advances", {"results": serializers.ListField(child=AdvanceOut)}))
    def get(self, request):
        company = seller_company(request.user)
        return Response({"results": [_advance_json(a) for a in
                                     selectors.advances_for_company(company_id=company.pk)[:200]]})


class AdvanceDetailApi(APIView):
    @extend_schema(responses=AdvanceOut)
    def get(self, request, pk: int):
        advance = selectors.advance_get(company_id=seller_company(request.user).pk, advance_id=pk)
        if advance is None:
            raise NotFound("No such advance.")
        return Response(_advance_json(advance))


class ExposureApi(APIView):
    """Finance staff: what each seller owes, and the advances overdue or at risk."""

    permission_classes = [HasPermission(roles.VIEW_ADVANCES)]

    @extend_schema(responses=inline_serializer("Exposure", {"sellers": serializers.ListField(),
                                                            "attention": serializers.ListField()}))
    def get(self, request):
        return Response({
            "sellers": [{"company_id": e.company_id, "seller": e.company_name, "advances": e.advances,
                         "outstanding": e.outstanding.as_json(), "overdue": e.overdue, "at_risk": e.at_risk}
                        for e in selectors.exposure_by_seller()],
            "attention": [{"id": a.id, "reference": a.reference, "seller": a.company_name, "status": a.status,
                           "at_risk": a.at_risk, "at_risk_reason": a.at_risk_reason,
                           "outstanding": a.outstanding.as_json(), "due_at": a.due_at.isoformat()}
                          for a in selectors.with_company_names(selectors.advances_needing_attention()[:200])]})
