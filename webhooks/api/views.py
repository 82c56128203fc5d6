"""Thin API views for a seller's webhook endpoints and their delivery log. Everything is the
signed-in seller's company's: another company's endpoint or delivery is a 404."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.services import seller_company
from ewtp.exceptions import ApplicationError, NotFound
from ewtp.idempotency import idempotent
from ewtp.numbers import parse_int
from webhooks import selectors, services
from webhooks.domain.events import EVENT_TYPES
from webhooks.models import Delivery, Endpoint


class EndpointOutputSerializer(serializers.ModelSerializer):
    secret_hint = serializers.CharField(read_only=True)

    class Meta:
        model = Endpoint
        fields = ["id", "url", "description", "events", "enabled", "secret_hint", "created_at", "updated_at"]


class EndpointWithSecretSerializer(EndpointOutputSerializer):
    """Only in the answers that make a secret: it is never shown again."""

    class Meta(EndpointOutputSerializer.Meta):
        fields = [*EndpointOutputSerializer.Meta.fields, "secret"]


class AttemptSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    started_at = serializers.DateTimeField()
    status_code = serializers.IntegerField(allow_null=True)
    duration_ms = serializers.IntegerField(allow_null=True)
    response_excerpt = serializers.CharField()
    error = serializers.CharField()


class DeliveryOutputSerializer(serializers.ModelSerializer):
    event = serializers.CharField(source="event_id")
    type = serializers.CharField(source="event.type")

    class Meta:
        model = Delivery
        fields = ["id", "endpoint", "event", "type", "status", "attempt_count", "next_attempt_at",
                  "last_status_code", "failure_reason", "replay_of", "created_at", "finished_at"]


class DeliveryDetailSerializer(DeliveryOutputSerializer):
    attempts = AttemptSerializer(many=True)
    payload = serializers.JSONField(source="event.data")

    class Meta(DeliveryOutputSerializer.Meta):
        fields = [*DeliveryOutputSerializer.Meta.fields, "payload", "attempts"]


class EndpointListCreateApi(APIView):
    class InputSerializer(serializers.Serializer):
        url = serializers.CharField(max_length=500)
        events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_TYPES), min_length=1,
                                       max_length=len(EVENT_TYPES))
        description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    @extend_schema(responses=EndpointOutputSerializer(many=True))
    def get(self, request):
        company = seller_company(request.user)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(selectors.endpoints_for_company(company_id=company.pk), request, view=self)
        return paginator.get_paginated_response(EndpointOutputSerializer(page, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: EndpointWithSecretSerializer},
                   description="The answer carries the signing secret, once.")
    @idempotent
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = services.endpoint_create(user=request.user, **data.validated_data)
        return Response(EndpointWithSecretSerializer(endpoint).data, status=status.HTTP_201_CREATED)


class EndpointDetailApi(APIView):
    class UpdateSerializer(serializers.Serializer):
        events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_TYPES), min_length=1,
                                       max_length=len(EVENT_TYPES), required=False)
        description = serializers.CharField(max_length=200, required=False, allow_blank=True)
        enabled = serializers.BooleanField(required=False)

    def _get(self, request, pk: int) -> Endpoint:
        endpoint = selectors.endpoint_get(company_id=seller_company(request.user).pk, endpoint_id=pk)
        if endpoint is None:
            raise NotFound("No such endpoint.")
        return endpoint

    @extend_schema(responses=EndpointOutputSerializer)
    def get(self, request, pk: int):
        return Response(EndpointOutputSerializer(self._get(request, pk)).data)

    @extend_schema(request=UpdateSerializer, responses=EndpointOutputSerializer,
                   description="Change the events or the description; `enabled: false` disables the endpoint.")
    def patch(self, request, pk: int):
        data = self.UpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = services.endpoint_update(user=request.user, endpoint_id=pk, **data.validated_data)
        return Response(EndpointOutputSerializer(endpoint).data)


class EndpointRotateSecretApi(APIView):
    @extend_schema(request=None, responses={200: EndpointWithSecretSerializer},
                   description="A new secret, shown once; the old one signs beside it for a grace period.")
    @idempotent
    def post(self, request, pk: int):
        endpoint = services.endpoint_rotate_secret(user=request.user, endpoint_id=pk)
        return Response(EndpointWithSecretSerializer(endpoint).data)


class DeliveryListApi(APIView):
    @extend_schema(parameters=[OpenApiParameter("endpoint", int), OpenApiParameter(
        "status", str, enum=[s.value for s in Delivery.Status])], responses=DeliveryOutputSerializer(many=True))
    def get(self, request):
        company = seller_company(request.user)
        endpoint = request.query_params.get("endpoint")
        endpoint_id = parse_int(endpoint, field="endpoint", minimum=1, maximum=2**62) if endpoint else None
        status_filter = request.query_params.get("status") or None
        if status_filter and status_filter not in Delivery.Status.values:
            raise ApplicationError(f"status is one of: {', '.join(Delivery.Status.values)}.", field="status")
        deliveries = selectors.deliveries_for_company(company_id=company.pk,
                                                      endpoint_id=endpoint_id,
                                                      status=status_filter)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(deliveries, request, view=self)
        return paginator.get_paginated_response(DeliveryOutputSerializer(page, many=True).data)


class DeliveryDetailApi(APIView):
    @extend_schema(responses=DeliveryDetailSerializer)
    def get(self, request, pk: int):
        delivery = selectors.delivery_get(company_id=seller_company(request.user).pk, delivery_id=pk)
        if delivery is None:
            raise NotFound("No such delivery.")
        return Response(DeliveryDetailSerializer(delivery).data)


class DeliveryReplayApi(APIView):
    @extend_schema(request=None, responses={202: DeliveryOutputSerializer},
                   description="Send the event again (same event id) as a new delivery.")
    @idempotent
    def post(self, request, pk: int):
        replay = services.delivery_replay(user=request.user, delivery_id=pk)
        return Response(DeliveryOutputSerializer(replay).data, status=status.HTTP_202_ACCEPTED)


