"""Company onboarding over the API: a user registers their company and follows its verification;
compliance staff list the companies waiting and verify or reject them, as on the staff pages."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Company
from accounts.selectors import company_get, company_remember
from accounts.services import COMPANY_FIELDS, company_create, company_update, company_verify
from ewtp.api import HasPermission
from ewtp.exceptions import NotFound
from ewtp.idempotency import idempotent
from ewtp.roles import VERIFY_COMPANY


class CompanyOutputSerializer(serializers.ModelSerializer):
    has_licence = serializers.SerializerMethodField()

    class Meta:
        model = Company
        fields = ["id", *COMPANY_FIELDS, "verification", "verification_reason", "submitted_at", "verified_at",
                  "has_licence"]
        read_only_fields = fields

    def get_has_licence(self, company) -> bool:
        return bool(company.business_licence)


class CompanyInputSerializer(serializers.Serializer):
    legal_name = serializers.CharField(max_length=200)
    country = serializers.RegexField(r"^[A-Za-z]{2}$")
    city = serializers.CharField(max_length=100)
    address = serializers.CharField(max_length=300)
    currency = serializers.RegexField(r"^[A-Za-z]{3}$")
    postcode = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    registration_number = serializers.CharField(max_length=60, required=False, default="", allow_blank=True)
    tax_id = serializers.CharField(max_length=40, required=False, default="", allow_blank=True)
    vat_number = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    eori_number = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    contact_name = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    contact_email = serializers.EmailField(required=False, default="", allow_blank=True)
    contact_phone = serializers.CharField(max_length=40, required=False, default="", allow_blank=True)
    business_licence = serializers.FileField(required=False, allow_null=True, default=None,
                                             help_text="PDF, PNG or JPEG (multipart/form-data)")


class CompanyUpdateSerializer(CompanyInputSerializer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # a correction sends only what changes
            field.required, field.default = False, serializers.empty


class MyCompanyApi(APIView):
    """Your company and where its verification stands: register it (POST), read it (GET), correct it
    (PATCH; a rejected company goes back to compliance for review)."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(responses=CompanyOutputSerializer)
    def get(self, request):
        company = company_remember(request.user, company_get(request.user))  # its verification as it is now
        if company is None:
            raise NotFound("You belong to no company yet: register one with POST.")
        return Response(CompanyOutputSerializer(company).data)

    @extend_schema(request=CompanyInputSerializer, responses={201: CompanyOutputSerializer})
    @idempotent
    def post(self, request):
        data = CompanyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        company = company_create(owner=request.user, **data.validated_data)
        return Response(CompanyOutputSerializer(company).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CompanyUpdateSerializer, responses=CompanyOutputSerializer)
    def patch(self, request):
        data = CompanyUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        licence = changes.pop("business_licence", None)
        company = company_update(user=request.user, data=changes, business_licence=licence)
        return Response(CompanyOutputSerializer(company).data)


class CompanyReviewListApi(APIView):
    """Compliance: companies by verification status (default: waiting for review), oldest first."""

    permission_classes = [HasPermission(VERIFY_COMPANY)]

    class Filters(serializers.Serializer):
        verification = serializers.ChoiceField(choices=Company.Verification.choices, required=False,
                                               default=Company.Verification.PENDING)

    @extend_schema(parameters=[Filters], responses=CompanyOutputSerializer(many=True))
    def get(self, request):
        filters = self.Filters(data=request.query_params)
        filters.is_valid(raise_exception=True)
        companies = Company.objects.filter(**filters.validated_data).order_by("submitted_at", "id")
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(companies, request, view=self)
        return paginator.get_paginated_response(CompanyOutputSerializer(page, many=True).data)


class CompanyVerifyApi(APIView):
    """Compliance: verify a company (it may publish) or reject it with the reason its members see."""

    permission_classes = [HasPermission(VERIFY_COMPANY)]

    class VerifySerializer(serializers.Serializer):
        approve = serializers.BooleanField()
        reason = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)
        # Needed to verify a company that matches a denied-party list entry (audited with the entries).
        override_reason = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)

    @extend_schema(request=VerifySerializer, responses=CompanyOutputSerializer)
    @idempotent
    def post(self, request, pk: int):
        data = self.VerifySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        company = company_verify(company=get_object_or_404(Company, pk=pk), staff=request.user,
                                 **data.validated_data)
        return Response(CompanyOutputSerializer(company).data)
