from datetime import date

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from customs import selectors, services
from customs.models import ClearanceCase
from ewtp.api import MoneyField
from ewtp.exceptions import ApplicationError
from ewtp.fx import fx_table
from ewtp.money import Money


class LandedCostApi(APIView):
    """Duty, import taxes and fees of a consignment, explained rule by rule."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    class LandedCostLineSerializer(serializers.Serializer):
        hs_code = serializers.CharField(max_length=14)
        description = serializers.CharField(max_length=300, required=False, default="")
        quantity = serializers.IntegerField(min_value=1, max_value=10_000_000)
        unit_value = MoneyField()
        net_weight_kg = serializers.DecimalField(max_digits=12, decimal_places=3, min_value=0)
        origin = serializers.RegexField(r"^[A-Z]{2}$", required=False)
        claim_preference = serializers.BooleanField(default=False)
        supplementary = serializers.DictField(child=serializers.DecimalField(max_digits=14, decimal_places=4,
                                                                             min_value=0), required=False)

    class LandedCostInputSerializer(serializers.Serializer):
        origin = serializers.RegexField(r"^[A-Z]{2}$")
        destination = serializers.RegexField(r"^[A-Z]{2}$")
        date = serializers.CharField(required=False)
        incoterm = serializers.ChoiceField(choices=["DDP", "DAP"], default="DDP")
        currency = serializers.RegexField(r"^[A-Z]{3}$", required=False)
        shipping = MoneyField(required=False)
        insurance = MoneyField(required=False)
        lines = serializers.ListField(min_length=1, max_length=100)

    @extend_schema(request=LandedCostInputSerializer, responses=inline_serializer("LandedCost", {
        "currency": serializers.CharField(), "landed_cost": serializers.DictField(),
        "explanation": serializers.ListField(child=serializers.CharField())}))
    def post(self, request):
        data = self.LandedCostInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        lines = []
        for index, raw in enumerate(values["lines"]):
            line = self.LandedCostLineSerializer(data=raw)
            if not line.is_valid():
                field, errors = next(iter(line.errors.items()))
                message = errors[0] if isinstance(errors, list) else str(errors)
                code = "invalid_amount" if field in ("unit_value", "net_weight_kg", "quantity") else "invalid"
                raise ApplicationError(str(message), code=code, field=f"lines[{index}].{field}")
            lines.append(line.validated_data)
        on = None
        if values.get("date"):
            try:
                on = date.fromisoformat(values["date"])
            except ValueError as exc:
                raise ApplicationError("Give the date as YYYY-MM-DD.", code="invalid_date", field="date") from exc
        if selectors.tariff_book().destination(values["destination"]) is None:
            raise ApplicationError(f"We do not quote imports into {values['destination']}.",
                                   code="unsupported_destination", field="destination")
        currency = values.get("currency") or selectors.destination_currency(values["destination"])
        quote = selectors.landed_cost_quote(
            origin=values["origin"], destination=values["destination"], lines=lines, fx=fx_table(on),
            currency=currency, incoterm=values["incoterm"], on=on,
            shipping=values.get("shipping") or Money.zero(currency),
            insurance=values.get("insurance") or Money.zero(currency))
        return Response(selectors.quote_as_json(quote))


class HsSearchApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(parameters=[OpenApiParameter("q", str)], responses=inline_serializer(
        "HsResults", {"results": serializers.ListField()}))
    def get(self, request):
        results = selectors.hs_search(request.query_params.get("q", ""))
        return Response({"results": [{"code": h.code, "description": h.description, "level": h.level}
                                     for h in results]})


class IsCustomsOfficer(BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated
                    and request.user.has_perm("customs.decide_clearancecase"))


def _case_json(case: ClearanceCase) -> dict:
    return {"id": case.id, "shipment_reference": case.shipment_reference, "status": case.status,
            "destination": case.destination, "held_at": case.held_at,
            "findings": [{"kind": f.kind, "message": f.message, "evidence": f.evidence} for f in case.findings.all()]}


class CaseListApi(APIView):
    permission_classes = [IsCustomsOfficer]

    @extend_schema(responses=inline_serializer("Cases", {"results": serializers.ListField()}))
    def get(self, request):
        cases = selectors.cases_held(destination=request.query_params.get("destination", ""))[:200]
        return Response({"results": [_case_json(case) for case in cases]})


class CaseReleaseApi(APIView):
    permission_classes = [IsCustomsOfficer]

    @extend_schema(request=inline_serializer("Release", {"note": serializers.CharField(required=False)}),
                   responses=inline_serializer("Case", {"status": serializers.CharField()}))
    def post(self, request, pk: int):
        case = services.case_release(case_id=pk, officer=request.user, note=str(request.data.get("note", ""))[:1000])
        return Response(_case_json(case))


class CaseRejectApi(APIView):
    permission_classes = [IsCustomsOfficer]

    @extend_schema(request=inline_serializer("Reject", {"reason": serializers.CharField()}),
                   responses=inline_serializer("RejectedCase", {"status": serializers.CharField()}))
    def post(self, request, pk: int):
        case = services.case_reject(case_id=pk, officer=request.user, reason=str(request.data.get("reason", ""))[:1000])
        return Response(_case_json(case))
