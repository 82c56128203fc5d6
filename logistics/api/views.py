from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import company_of
from ewtp.api import MoneyField
from ewtp.exceptions import ApplicationError, NotFound
from ewtp.files import private_bytes_response
from ewtp.idempotency import idempotent
from logistics.domain.tracking import CODES, CUSTOMS_CODES
from logistics.models import Shipment
from logistics.selectors import (
    rate_book,
    rate_shop,
    shipment_get_for_user,
    shipment_timeline,
    shipments_for_user,
)
from logistics.services import (
    DOCUMENT_KINDS,
    shipment_cancel,
    shipment_carrier_push,
    shipment_document,
    shipment_rebook,
)


class RatesApi(APIView):
    """Every shipping option for the parcels, and why each other service was left out."""
    # Takes no Idempotency-Key (ewtp/idempotency.py):
    idempotency_exempt = "a quote: it computes and stores nothing"

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


# --- shipments ------------------------------------------------------------------------------------

class ShipmentOutputSerializer(serializers.ModelSerializer):
    parcels = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()

    @extend_schema_field(inline_serializer("ParcelOut", {
        "weight_kg": serializers.DecimalField(max_digits=8, decimal_places=3),
        "length_cm": serializers.DecimalField(max_digits=6, decimal_places=1),
        "width_cm": serializers.DecimalField(max_digits=6, decimal_places=1),
        "height_cm": serializers.DecimalField(max_digits=6, decimal_places=1)}, many=True))
    def get_parcels(self, shipment) -> list[dict]:
        return [{"weight_kg": str(p.weight_kg), "length_cm": str(p.length_cm), "width_cm": str(p.width_cm),
                 "height_cm": str(p.height_cm)} for p in shipment.parcels.all()]

    def get_documents(self, shipment) -> list[str]:
        """Kinds downloadable from /shipments/{id}/documents/{kind}/ (the seller's, once booked and
        while the booking stands)."""
        if not shipment.printable or self.context.get("role", "seller") != "seller":
            return []
        return list(DOCUMENT_KINDS)

    class Meta:
        model = Shipment
        fields = ["id", "order_reference", "status", "service_code", "origin_country", "destination_country",
                  "tracking_number", "failure_reason", "incoterm", "booked_at", "delivered_at", "parcels",
                  "documents"]
        read_only_fields = fields


class TrackingEventSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    time = serializers.DateTimeField()
    location = serializers.CharField()
    note = serializers.CharField()
    source = serializers.CharField()


class ShipmentListApi(APIView):
    """The shipments you sell (your company's) or bought, newest first."""

    @extend_schema(responses=ShipmentOutputSerializer(many=True))
    def get(self, request):
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(shipments_for_user(request.user), request, view=self)
        return paginator.get_paginated_response(ShipmentOutputSerializer(page, many=True).data)


class ShipmentDetailApi(APIView):
    """One shipment, to its seller or its buyer (anyone else: 404)."""

    @extend_schema(responses=ShipmentOutputSerializer)
    def get(self, request, pk: int):
        shipment, role = shipment_get_for_user(shipment_id=pk, user=request.user)
        return Response(ShipmentOutputSerializer(shipment, context={"role": role}).data)


class ShipmentTrackingApi(APIView):
    """The tracking timeline, newest first, to the seller or the buyer."""

    @extend_schema(responses=inline_serializer("Tracking", {
        "tracking_number": serializers.CharField(), "status": serializers.CharField(),
        "events": TrackingEventSerializer(many=True)}))
    def get(self, request, pk: int):
        shipment, _role = shipment_get_for_user(shipment_id=pk, user=request.user)
        return Response({"tracking_number": shipment.tracking_number, "status": shipment.status,
                         "events": TrackingEventSerializer(shipment_timeline(shipment), many=True).data})


class ShipmentBookApi(APIView):
    """The seller books a shipment again with another service or parcels: while the carrier has not
    booked it yet (status `booking`), after it refused (`booking_failed`), or after the seller
    cancelled it before pickup (`cancelled`; a new tracking number), booked again on a worker.
    A live booking is never booked twice, nor goods customs rejected: 409 `already_booked`.
    The first booking of an order is `POST /api/v1/orders/{id}/book-shipment/`."""

    class ShipmentBookInputSerializer(serializers.Serializer):
        service_code = serializers.CharField(max_length=60)
        parcels = serializers.ListField(required=False, min_length=1, max_length=50)

    @extend_schema(request=ShipmentBookInputSerializer, responses={202: ShipmentOutputSerializer})
    @idempotent
    def post(self, request, pk: int):
        data = self.ShipmentBookInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        shipment_get_for_user(shipment_id=pk, user=request.user, seller_only=True)
        parcels = data.validated_data.get("parcels")
        if parcels is not None:
            parcels = [RatesApi._nested(RatesApi.ParcelSerializer, raw, f"parcels[{i}]") for i, raw in enumerate(parcels)]
        shipment = shipment_rebook(shipment_id=pk, company_id=company_of(request.user).pk,
                                   service_code=data.validated_data["service_code"], parcels=parcels)
        return Response(ShipmentOutputSerializer(shipment).data, status=status.HTTP_202_ACCEPTED)


class ShipmentCancelApi(APIView):
    """The seller cancels before pickup; 409 `picked_up` once the carrier has the parcel."""

    @extend_schema(request=None, responses=ShipmentOutputSerializer)
    @idempotent
    def post(self, request, pk: int):
        shipment_get_for_user(shipment_id=pk, user=request.user, seller_only=True)
        shipment = shipment_cancel(shipment_id=pk, company_id=company_of(request.user).pk)
        return Response(ShipmentOutputSerializer(shipment).data)


class ShipmentDocumentApi(APIView):
    """A booked shipment's PDF, to the seller: `label` (Code 128 barcode of the tracking number),
    `customs-declaration` (CN22 or CN23 by value), `commercial-invoice`."""

    @extend_schema(parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(DOCUMENT_KINDS))],
                   responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk: int, kind: str):
        shipment, _role = shipment_get_for_user(shipment_id=pk, user=request.user, seller_only=True)
        name, pdf = shipment_document(shipment=shipment, kind=kind)
        return private_bytes_response(pdf, filename=name)


# --- carrier webhook ------------------------------------------------------------------------------

class CarrierWebhookApi(APIView):
    """Tracking events pushed by a carrier, signed: `X-Carrier-Timestamp: <unix seconds>` and
    `X-Carrier-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>." + raw body, keyed with
    CARRIER_WEBHOOK_SECRET>`. A bad or stale signature is refused (400) and nothing is stored;
    events already stored are ignored; late events take their place by `occurred_at`."""
    # Takes no Idempotency-Key (ewtp/idempotency.py):
    idempotency_exempt = "a carrier's signed push: tracking events are deduplicated by their own ids"

    authentication_classes: list = []
    permission_classes = [AllowAny]

    class EventSerializer(serializers.Serializer):
        code = serializers.ChoiceField(choices=[c for c in CODES if c not in CUSTOMS_CODES])
        occurred_at = serializers.DateTimeField()
        location = serializers.CharField(required=False, allow_blank=True, max_length=120)
        description = serializers.CharField(required=False, allow_blank=True, max_length=300)
        # DAP, on a delivered event: the duties and taxes collected at the door ({"amount", "currency"})
        duties_collected = serializers.JSONField(required=False)

    class CarrierWebhookInputSerializer(serializers.Serializer):
        tracking_number = serializers.CharField(max_length=40)
        events = serializers.ListField(min_length=1, max_length=100)

    @extend_schema(
        request=inline_serializer("CarrierPush", {
            "tracking_number": serializers.CharField(),
            "events": inline_serializer("CarrierEvent", {
                "code": serializers.ChoiceField(choices=[c for c in CODES if c not in CUSTOMS_CODES]),
                "occurred_at": serializers.DateTimeField(), "location": serializers.CharField(required=False),
                "description": serializers.CharField(required=False),
                "duties_collected": inline_serializer("DutiesCollected", {
                    "amount": serializers.DecimalField(max_digits=14, decimal_places=2),
                    "currency": serializers.CharField()}, required=False)}, many=True)}),
        parameters=[OpenApiParameter("X-Carrier-Timestamp", str, OpenApiParameter.HEADER, required=True),
                    OpenApiParameter("X-Carrier-Signature", str, OpenApiParameter.HEADER, required=True)],
        responses=inline_serializer("CarrierPushResult", {"stored": serializers.IntegerField()}))
    def post(self, request, carrier: str):
        import time

        from django.conf import settings

        from logistics.domain.webhooks import SignatureError, verify

        body = request.body  # the raw bytes that were signed, before DRF parses them
        if not any(service.carrier == carrier for service in rate_book().services):
            raise NotFound("No such carrier.")
        try:
            verify(settings.CARRIER_WEBHOOK_SECRET,
                   timestamp=request.headers.get("X-Carrier-Timestamp"),
                   signature=request.headers.get("X-Carrier-Signature"), body=body, now=time.time())
        except SignatureError as exc:
            raise ApplicationError(str(exc), code=exc.code, field="X-Carrier-Signature") from exc
        data = self.CarrierWebhookInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        events = [RatesApi._nested(self.EventSerializer, raw, f"events[{i}]")
                  for i, raw in enumerate(data.validated_data["events"])]
        stored = shipment_carrier_push(carrier=carrier, tracking_number=data.validated_data["tracking_number"],
                                       events=[{**e, "occurred_at": e["occurred_at"].isoformat()} for e in events])
        return Response({"stored": stored})
