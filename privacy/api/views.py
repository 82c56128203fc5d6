"""The API of personal-data rights: download everything, see what stands in the way of erasure, erase."""

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ewtp.idempotency import idempotent
from privacy.selectors import erasure_obligations, personal_data_archive
from privacy.services import erasure_request


class PersonalDataExportApi(APIView):
    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY},
                   description="All your personal data: a ZIP with manifest.json, one JSON file per area and "
                               "your uploaded files under files/.")
    def get(self, request):
        filename, archive = personal_data_archive(user=request.user)
        return FileResponse(archive, as_attachment=True, filename=filename, content_type="application/zip")


class ErasureApi(APIView):
    class ErasureInputSerializer(serializers.Serializer):
        password = serializers.CharField(max_length=128, trim_whitespace=False)

    class ErasureOutputSerializer(serializers.Serializer):
        status = serializers.CharField()
        requested_at = serializers.DateTimeField()
        customs_retained_until = serializers.DateTimeField()
        accounting_retained_until = serializers.DateTimeField()

    @extend_schema(responses={200: inline_serializer("ErasureCheck", {
        "can_erase": serializers.BooleanField(), "obligations": serializers.ListField(child=serializers.CharField())})})
    def get(self, request):
        obligations = erasure_obligations(user=request.user)
        return Response({"can_erase": not obligations, "obligations": obligations})

    @extend_schema(request=ErasureInputSerializer, responses={200: ErasureOutputSerializer},
                   description="Erase your account, confirmed with your password. 409 `open_obligations` lists "
                               "what must end first; 409 `already_erased` for a second request.")
    @idempotent
    def post(self, request):
        data = self.ErasureInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        erasure = erasure_request(user=request.user, password=data.validated_data["password"])
        return Response(self.ErasureOutputSerializer(erasure).data)
