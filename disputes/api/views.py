"""Thin API views for disputes. Object-level: a dispute is seen by its buyer, its seller's members and
dispute staff; anyone else gets 404 not_found. Errors are the one shape of ewtp/api.py."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from disputes import selectors, services
from disputes.models import Dispute
from ewtp import roles
from ewtp.api import HasPermission, MoneyField
from ewtp.exceptions import ApplicationError
from ewtp.idempotency import idempotent
from ewtp.numbers import parse_int


def _dispute_json(dispute: Dispute, *, detail: bool = True) -> dict:
    data = {"id": dispute.pk, "order": dispute.order_id, "order_reference": dispute.order_reference,
            "status": dispute.status, "reason": dispute.reason, "outcome": dispute.outcome or None,
            "refunded": dispute.refunded.as_json(), "seller_deadline": dispute.seller_deadline.isoformat(),
            "created_at": dispute.created_at.isoformat(),
            "decided_at": dispute.decided_at.isoformat() if dispute.decided_at else None}
    if detail:
        data.update({
            "description": dispute.description, "seller_answer": dispute.seller_answer or None,
            "answered_at": dispute.answered_at.isoformat() if dispute.answered_at else None,
            "decision_note": dispute.decision_note or None,
            "evidence": [{"id": e.pk, "party": e.party, "name": e.original_name, "kind": e.kind, "size": e.size,
                          "url": reverse("disputes:evidence", args=[e.pk])} for e in dispute.evidence.all()],
            "history": [{"action": e.action, "status": e.to_status, "note": e.note, "at": e.created_at.isoformat(),
                         "amount": e.money.as_json() if e.money else None} for e in dispute.events.all()],
        })
    return data


DisputeOut = inline_serializer("Dispute", {
    "id": serializers.IntegerField(), "order": serializers.IntegerField(), "order_reference": serializers.CharField(),
    "status": serializers.ChoiceField(choices=Dispute.Status.choices),
    "reason": serializers.ChoiceField(choices=Dispute.Reason.choices),
    "outcome": serializers.ChoiceField(choices=Dispute.Outcome.choices, allow_null=True), "refunded": MoneyField(),
    "seller_deadline": serializers.DateTimeField(), "created_at": serializers.DateTimeField(),
    "decided_at": serializers.DateTimeField(allow_null=True), "description": serializers.CharField(),
    "seller_answer": serializers.CharField(allow_null=True), "answered_at": serializers.DateTimeField(allow_null=True),
    "decision_note": serializers.CharField(allow_null=True), "evidence": serializers.ListField(),
    "history": serializers.ListField()})
DisputeList = inline_serializer("Disputes", {"results": serializers.ListField(child=DisputeOut)})


def _files(request) -> list:
    return request.FILES.getlist("evidence") if hasattr(request, "FILES") else []


def _text(request, name: str) -> str:
    value = request.data.get(name, "")
    return value if isinstance(value, str) else ""


class DisputeListApi(APIView):
    """Your disputes (as a buyer, or your company's as a seller); POST opens one on your order (multipart with
    `evidence` files, or JSON without them)."""

    @extend_schema(operation_id="v1_disputes_list", responses=DisputeList)
    def get(self, request):
        return Response({"results": [_dispute_json(d, detail=False)
                                     for d in selectors.disputes_for_user(request.user)[:200]]})

    @extend_schema(operation_id="v1_disputes_open", request={
        "multipart/form-data": inline_serializer("DisputeOpen", {
            "order": serializers.IntegerField(), "reason": serializers.ChoiceField(choices=Dispute.Reason.choices),
            "description": serializers.CharField(),
            "evidence": serializers.ListField(child=serializers.FileField(), required=False)}),
        "application/json": inline_serializer("DisputeOpenJson", {
            "order": serializers.IntegerField(), "reason": serializers.ChoiceField(choices=Dispute.Reason.choices),
            "description": serializers.CharField()})},
        responses={201: DisputeOut})
    @idempotent
    def post(self, request):
        order_id = parse_int(request.data.get("order"), field="order", minimum=1, maximum=2**62,
                             message="Give the order's number.")
        dispute = services.dispute_open(buyer=request.user, order_id=order_id, reason=_text(request, "reason"),
                                        description=_text(request, "description"), files=_files(request))
        dispute, _role = selectors.dispute_get_for_user(user=request.user, dispute_id=dispute.pk)
        return Response(_dispute_json(dispute), status=status.HTTP_201_CREATED)


class DisputeDetailApi(APIView):
    required_permissions = {"GET": roles.DECIDE_DISPUTE, "owners": True}  # staff see all, the parties their own

    @extend_schema(responses=DisputeOut)
    def get(self, request, pk: int):
        dispute, _role = selectors.dispute_get_for_user(user=request.user, dispute_id=pk)
        return Response(_dispute_json(dispute))


class DisputeAnswerApi(APIView):
    """The seller answers, once (multipart: answer, evidence files; or JSON: answer)."""

    @extend_schema(request=inline_serializer("DisputeAnswer", {"answer": serializers.CharField()}),
                   responses=DisputeOut)
    @idempotent
    def post(self, request, pk: int):
        services.dispute_answer(user=request.user, dispute_id=pk, answer=_text(request, "answer"),
                                files=_files(request))
        dispute, _role = selectors.dispute_get_for_user(user=request.user, dispute_id=pk)
        return Response(_dispute_json(dispute))


class DisputeWithdrawApi(APIView):
    @extend_schema(request=None, responses=DisputeOut)
    @idempotent
    def post(self, request, pk: int):
        services.dispute_withdraw(buyer=request.user, dispute_id=pk)
        dispute, _role = selectors.dispute_get_for_user(user=request.user, dispute_id=pk)
        return Response(_dispute_json(dispute))


class DisputeQueueApi(APIView):
    """Dispute staff: the open disputes, those to decide first."""

    permission_classes = [HasPermission(roles.DECIDE_DISPUTE)]

    @extend_schema(responses=DisputeList)
    def get(self, request):
        return Response({"results": [{**_dispute_json(d, detail=False), "decidable": selectors.dispute_decidable_now(d)}
                                     for d in selectors.dispute_queue()[:200]]})


class DisputeDecideApi(APIView):
    """Dispute staff decide: refund_full, refund_partial (with `amount`), return, or reject; `note` says why."""

    permission_classes = [HasPermission(roles.DECIDE_DISPUTE)]

    class DecideSerializer(serializers.Serializer):
        outcome = serializers.ChoiceField(choices=Dispute.Outcome.choices)
        note = serializers.CharField(max_length=2000, allow_blank=True)
        amount = MoneyField(required=False, allow_null=True)

    @extend_schema(request=DecideSerializer, responses=DisputeOut)
    @idempotent
    def post(self, request, pk: int):
        data = self.DecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if values.get("amount") is not None and values["outcome"] != Dispute.Outcome.REFUND_PARTIAL:
            raise ApplicationError("An amount is given only with a part refund.", code="unexpected_amount",
                                   field="amount")
        services.dispute_decide(staff=request.user, dispute_id=pk, outcome=values["outcome"], note=values["note"],
                                amount=values.get("amount"))
        dispute, _role = selectors.dispute_get_for_user(user=request.user, dispute_id=pk)
        return Response(_dispute_json(dispute))
