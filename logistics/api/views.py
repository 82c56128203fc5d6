from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from ewtp.api import MoneyField
from logistics.selectors import rate_shop


class RatesApi(APIView):
    """Every shipping option for the parcels, and why each other service was left out."""

    permission_classes = [AllowAny]

    class ParcelSerializer(serializers.Serializer):
        weight_kg = serializers.DecimalField(max_digits=8, decimal_places=3)
        length_cm = serializers.DecimalField(max_digits=7, decimal_places=1)
        width_cm = serializers.DecimalField(max_digits=7, decimal_places=1)
        height_cm = serializers.DecimalField(max_digits=7, decimal_places=1)

    class GoodsSerializer(serializers.Serializer):
        hs_code = serializers.CharField(max_length=14)
        description = serializers.CharField(max_length=300, required=False, default="")
        value = MoneyField()

    class RatesInputSerializer(serializers.Serializer):
        origin = serializers.RegexField(r"^[A-Z]{2}$")
        destination = serializers.RegexField(r"^[A-Z]{2}$")
        parcels = serializers.ListField(min_length=1, max_length=50)
        goods = serializers.ListField(required=False, default=list, max_length=100)
        sort = serializers.ChoiceField(choices=["price", "speed"], default="price")

    @extend_schema(request=RatesInputSerializer, responses=inline_serializer("Rates", {
        "options": serializers.ListField(), "excluded": serializers.ListField()}))
    def post(self, request):
        data = self.RatesInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        parcels = [self._nested(self.ParcelSerializer, raw, f"parcels[{i}]") for i, raw in enumerate(data.validated_data["parcels"])]
        goods = [self._nested(self.GoodsSerializer, raw, f"goods[{i}]") for i, raw in enumerate(data.validated_data["goods"])]
        result = rate_shop(origin=data.validated_data["origin"], destination=data.validated_data["destination"],
                           parcels=parcels, goods=goods, sort=data.validated_data["sort"])
        return Response({"options": [o.as_json() for o in result.options],
                         "excluded": [e.as_json() for e in result.excluded]})

    @staticmethod
    def _nested(serializer_class, raw, where: str) -> dict:
        from ewtp.exceptions import ApplicationError

        serializer = serializer_class(data=raw)
        if not serializer.is_valid():
            field, errors = next(iter(serializer.errors.items()))
            raise ApplicationError(str(errors[0] if isinstance(errors, list) else errors), code="invalid",
                                   field=f"{where}.{field}")
        return serializer.validated_data
