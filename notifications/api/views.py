"""Thin API views: a user lists their own notifications and marks them read. Another user's answers 404."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from ewtp.exceptions import ApplicationError
from notifications import selectors, services
from notifications.kinds import KINDS
from notifications.models import Notification
from notifications.rendering import render_text


class NotificationOut(serializers.Serializer):
    """One notification, its subject and text in the request's language; `url` is the object's page."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=list(KINDS))
    subject = serializers.CharField()
    text = serializers.CharField()
    url = serializers.CharField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)
    email_status = serializers.ChoiceField(choices=Notification.Email.choices)


def _json(notification: Notification) -> dict:
    subject, text = render_text(notification)  # in the request's language
    return {"id": notification.pk, "kind": notification.kind, "subject": subject, "text": text,
            "url": notification.url, "created_at": notification.created_at.isoformat(),
            "read_at": notification.read_at.isoformat() if notification.read_at else None,
            "email_status": notification.email_status}


class Pagination(PageNumberPagination):
    page_size = 24
    page_size_query_param = "page_size"
    max_page_size = 100


class NotificationListApi(APIView):
    """Your notifications, newest first (`unread=true` for the unread only), with the unread count."""

    @extend_schema(operation_id="notifications_list", parameters=[OpenApiParameter("unread", bool, description="only the unread ones"),
                               OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
                   responses=inline_serializer("NotificationPage", {
                       "count": serializers.IntegerField(), "unread": serializers.IntegerField(),
                       "next": serializers.CharField(allow_null=True),
                       "previous": serializers.CharField(allow_null=True),
                       "results": NotificationOut(many=True)}))
    def get(self, request):
        unread = request.query_params.get("unread", "")
        if unread not in ("", "true", "false", "1", "0"):
            raise ApplicationError("unread is true or false.", code="invalid", field="unread")
        paginator = Pagination()
        page = paginator.paginate_queryset(
            selectors.notification_list(user=request.user, unread_only=unread in ("true", "1")), request, view=self)
        response = paginator.get_paginated_response([_json(n) for n in page])
        response.data["unread"] = selectors.unread_count(user=request.user)
        return response


class NotificationReadApi(APIView):
    """Mark one of your notifications read (again: no change)."""

    idempotency_exempt = "it creates nothing and charges nothing; marking read twice is marking it read"

    @extend_schema(operation_id="notification_read", request=None, responses=NotificationOut)
    def post(self, request, pk: int):
        return Response(_json(services.notification_mark_read(user=request.user, notification_id=pk)))


class NotificationReadAllApi(APIView):
    """Mark all your notifications read."""

    idempotency_exempt = "it creates nothing and charges nothing; a second call finds nothing unread"

    @extend_schema(operation_id="notifications_read_all", request=None, responses=inline_serializer("NotificationsRead", {
        "marked": serializers.IntegerField()}))
    def post(self, request):
        return Response({"marked": services.notifications_mark_all_read(user=request.user)})
