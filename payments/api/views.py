"""A seller's payouts and balance, and the refunds a buyer or seller may see, over the API."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import company_of
from accounts.services import seller_company
from ewtp.api import MoneySerializer
from ewtp.money import Money
from payments import selectors
from payments.models import Payout

money_in_schema = extend_schema_field(MoneySerializer)


class PayoutOutputSerializer(serializers.ModelSerializer):
    amount = serializers.SerializerMethodField()
    fee = serializers.SerializerMethodField()

    class Meta:
        model = Payout
        fields = ["reference", "amount", "fee", "fx_rate", "fx_as_of", "status", "provider_id", "created_at"]
        read_only_fields = fields

    @money_in_schema
    def get_amount(self, payout) -> dict:
        return payout.total.as_json()

    @money_in_schema
    def get_fee(self, payout) -> dict:
        return {"amount": str(payout.fee_amount), "currency": payout.fee_currency}


def _page(request, view, queryset, serializer):
    paginator = PageNumberPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer(page, many=True).data)


class PayoutListApi(APIView):
    """Your company's payouts, newest first: what escrow released to you, net of the platform fee."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=PayoutOutputSerializer(many=True))
    def get(self, request):
        company = seller_company(request.user)
        return _page(request, self, selectors.payouts_for_company(company.pk), PayoutOutputSerializer)


class BalanceApi(APIView):
    """Where your company's money stands: held in escrow for paid orders (in the buyers' currencies),
    owed to you, and paid out (in yours)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=inline_serializer("SellerBalance", {
        "in_escrow": MoneySerializer(many=True), "payable": MoneySerializer(many=True),
        "paid_out": MoneySerializer(many=True)}))
    def get(self, request):
        balance = selectors.seller_balance(company_id=seller_company(request.user).pk)
        return Response({name: [money.as_json() for money in getattr(balance, name)]
                         for name in ("in_escrow", "payable", "paid_out")})


class RefundOutputSerializer(serializers.Serializer):
    order = serializers.CharField(source="reference")
    amount = serializers.SerializerMethodField()
    reason = serializers.CharField(source="memo")
    created_at = serializers.DateTimeField()

    @money_in_schema
    def get_amount(self, refund) -> dict:
        return Money(refund.amount, refund.currency).as_json()


class RefundListApi(APIView):
    """Refunds of your payments, and of your company's orders if you sell, newest first."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=RefundOutputSerializer(many=True))
    def get(self, request):
        company = company_of(request.user)
        return _page(request, self, selectors.refunds_visible_to(request.user, company.pk if company else None),
                     RefundOutputSerializer)
