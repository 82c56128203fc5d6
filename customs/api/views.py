from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotAuthenticated
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from accounts.selectors import company_of
from customs import selectors, services
from customs.models import ClearanceCase
from ewtp.api import HasPermission, MoneyField
from ewtp.exceptions import ApplicationError, NotFound
from ewtp.fx import fx_for_quote
from ewtp.idempotency import idempotent
from ewtp.money import Money, has_too_many_decimals
from ewtp.numbers import is_whole_number, parse_decimal, parse_int
from ewtp.roles import DECIDE_CLEARANCE

# MoneyField's failure codes, as the landed-cost contract names them.
_MONEY_ERROR_CODES = {"currency": "currency_mismatch"}
_MONEY = MoneyField()
_MAX_LINES = 100
_MONEY_LIMIT = Decimal("1e12")  # MoneyField's "too_large"


class CountryField(serializers.CharField):
    """An ISO 3166 alpha-2 code, upper-cased ("gb" is GB). For the OpenAPI schema."""

    def __init__(self, **kwargs) -> None:
        super().__init__(min_length=2, max_length=2, **kwargs)


def _bad(message, field: str, code: str = "invalid") -> ApplicationError:
    return ApplicationError(message, code=code, field=field)


def _country(data: dict, field: str, where: str, *, required: bool) -> str | None:
    value = data.get(field)
    if value is None:
        if required:
            raise _bad(_("This field is required."), where, "required")
        return None
    if not isinstance(value, str) or len(value) != 2 or not value.isalpha() or not value.isascii():
        raise _bad(_("Give a two-letter ISO 3166 country code, e.g. GB."), where)
    return value.upper()


def _money(data: dict, field: str, where: str, *, required: bool) -> Money | None:
    value = data.get(field)
    if value is None:
        if required:
            raise _bad(_("This field is required."), where, "required")
        return None
    # The usual shape, a string amount and a three-letter code, read here at a third of MoneyField's cost;
    # anything else, and any fault, goes through MoneyField, which names it.
    if isinstance(value, dict):
        amount, currency = value.get("amount"), value.get("currency")
        if isinstance(amount, str) and isinstance(currency, str) and len(currency) == 3 and currency.isalpha():
            currency = currency.upper()
            try:
                number = Decimal(amount)
            except InvalidOperation:
                number = None
            if (number is not None and number.is_finite() and 0 <= number < _MONEY_LIMIT
                    and not has_too_many_decimals(number, currency)):
                return Money(number, currency)
    try:
        return _MONEY.to_internal_value(value)
    except serializers.ValidationError as exc:
        detail = exc.detail[0] if isinstance(exc.detail, list) else exc.detail
        raise _bad(str(detail), where, _MONEY_ERROR_CODES.get(getattr(detail, "code", ""), "invalid_amount")) from exc


def _decimal(value, where: str, *, places: int) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _bad(_("Give a number, e.g. \"1.5\"."), where, "invalid_amount")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise _bad(_("Give a number, e.g. \"1.5\"."), where, "invalid_amount") from exc
    if not number.is_finite() or number < 0 or number >= Decimal("1e9"):
        raise _bad(_("Give a number from 0 up to 999,999,999."), where, "invalid_amount")
    if number.as_tuple().exponent < -places:
        raise _bad(format_lazy(_("Give at most {places} decimal places."), places=places), where, "invalid_amount")
    return number


def _line(raw, index: int, line_origin: str = "") -> dict:
    where = f"lines[{index}]"
    if not isinstance(raw, dict):
        raise _bad(_("Each line is an object with hs_code, quantity, unit_value and net_weight_kg."), where)
    hs_code = raw.get("hs_code")
    if hs_code is None:
        raise _bad(_("This field is required."), f"{where}.hs_code", "required")
    if not isinstance(hs_code, str) or len(hs_code) > 14:
        raise _bad(_("Give the HS code as a string of 6 to 10 digits."), f"{where}.hs_code", "unknown_hs_code")
    description = raw.get("description", "")
    if not isinstance(description, str) or len(description) > 300:
        raise _bad(_("Give a description of at most 300 characters."), f"{where}.description")
    quantity = raw.get("quantity")
    if isinstance(quantity, str) and is_whole_number(quantity.strip()):
        quantity = int(quantity)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= 10_000_000:
        raise _bad(_("quantity must be a whole number from 1 to 10,000,000."), f"{where}.quantity", "invalid_amount")
    unit_value = _money(raw, "unit_value", f"{where}.unit_value", required=True)
    if raw.get("net_weight_kg") is None:
        raise _bad(_("This field is required."), f"{where}.net_weight_kg", "required")
    weight = _decimal(raw["net_weight_kg"], f"{where}.net_weight_kg", places=3)
    claim = raw.get("claim_preference", False)
    if not isinstance(claim, bool):
        raise _bad(_("claim_preference is true or false."), f"{where}.claim_preference")
    supplementary = raw.get("supplementary") or {}
    if not isinstance(supplementary, dict):
        raise _bad(_("supplementary is an object of unit: quantity, e.g. {\"l\": \"7.5\"}."), f"{where}.supplementary",
                   "invalid_amount")
    origin = _country(raw, "origin", f"{where}.origin", required=False)
    declaration = None
    if raw.get("origin_declaration") is not None:
        from customs.selectors import read_origin_declaration

        declaration = read_origin_declaration(raw["origin_declaration"], product_origin=origin or line_origin,
                                              currency=unit_value.currency, prefix=f"{where}.origin_declaration.")
    return {"hs_code": hs_code, "description": description, "quantity": quantity, "unit_value": unit_value,
            "net_weight_kg": weight, "origin": origin, "origin_declaration": declaration,
            "claim_preference": claim,
            "supplementary": {str(k): _decimal(v, f"{where}.supplementary", places=4) for k, v in supplementary.items()}}


def landed_cost_input(data) -> dict:
    """The request body read and checked by hand: the contract's codes and fields, at a fraction of a DRF
    serializer's cost (quotes are the hot path). Raises ApplicationError at the first fault."""
    if not isinstance(data, dict):
        raise _bad(_("The body is a JSON object."), None)
    values = {"origin": _country(data, "origin", "origin", required=True),
              "destination": _country(data, "destination", "destination", required=True)}
    on = data.get("date")
    if on is not None:
        try:
            on = date.fromisoformat(on) if isinstance(on, str) and len(on) == 10 else None
        except ValueError:
            on = None
        if on is None:
            raise _bad(_("Give the date as YYYY-MM-DD."), "date", "invalid_date")
    values["date"] = on
    incoterm = data.get("incoterm") or "DDP"
    if incoterm not in ("DDP", "DAP"):
        raise _bad(_("incoterm is DDP or DAP."), "incoterm", "invalid_choice")
    values["incoterm"] = incoterm
    buyer = data.get("buyer") or "business"
    if buyer not in ("consumer", "business"):
        raise _bad(_("buyer is consumer or business."), "buyer", "invalid_choice")
    values["buyer_is_consumer"] = buyer == "consumer"
    values["consumer_year_to_date"] = _money(data, "consumer_year_to_date", "consumer_year_to_date", required=False)
    currency = data.get("currency")
    if currency is not None and (not isinstance(currency, str) or len(currency) != 3 or not currency.isalpha()):
        raise _bad(_("Give a three-letter ISO 4217 currency code, e.g. GBP."), "currency")
    values["currency"] = currency.upper() if currency else None
    values["shipping"] = _money(data, "shipping", "shipping", required=False)
    values["insurance"] = _money(data, "insurance", "insurance", required=False)
    lines = data.get("lines")
    if lines is None:
        raise _bad(_("This field is required."), "lines", "required")
    if not isinstance(lines, list) or not 1 <= len(lines) <= _MAX_LINES:
        raise _bad(format_lazy(_("Give 1 to {count} lines."), count=_MAX_LINES), "lines")
    values["lines"] = [_line(raw, index, values["origin"]) for index, raw in enumerate(lines)]
    return values


# The request's shape for the OpenAPI schema; the body is read by landed_cost_input.
class OriginMaterialSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    hs_code = serializers.CharField(max_length=8, help_text="HS 2022 chapter, heading or subheading")
    origin = CountryField()
    value = serializers.DecimalField(max_digits=13, decimal_places=4, min_value=0,
                                     help_text="per unit of the product, in the line's currency")


class OriginDeclarationSerializer(serializers.Serializer):
    ex_works_price = serializers.DecimalField(max_digits=13, decimal_places=4, min_value=0)
    wholly_obtained = serializers.BooleanField(default=False)
    exporter_reference = serializers.CharField(max_length=64, required=False, allow_blank=True,
                                               help_text="REX number / approved exporter authorisation")
    materials = OriginMaterialSerializer(many=True, required=False)


class LandedCostLineSerializer(serializers.Serializer):
    hs_code = serializers.CharField(max_length=14)
    description = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    quantity = serializers.IntegerField(min_value=1, max_value=10_000_000)
    unit_value = MoneyField()
    net_weight_kg = serializers.DecimalField(max_digits=12, decimal_places=3, min_value=0)
    origin = CountryField(required=False)
    claim_preference = serializers.BooleanField(default=False)
    origin_declaration = OriginDeclarationSerializer(
        required=False, help_text="the seller's materials: a claimed preference is granted only where the "
                                  "agreement's rule of origin is met")
    supplementary = serializers.DictField(child=serializers.DecimalField(max_digits=14, decimal_places=4,
                                                                         min_value=0), required=False)


class LandedCostInputSerializer(serializers.Serializer):
    origin = CountryField()
    destination = CountryField()
    date = serializers.DateField(required=False, input_formats=["iso-8601"])
    incoterm = serializers.ChoiceField(choices=["DDP", "DAP"], default="DDP")
    buyer = serializers.ChoiceField(
        choices=["consumer", "business"], default="business",
        help_text="consumer opens the consumer-only channels (China's cross-border e-commerce retail import: "
                  "0% duty, VAT at 70%, within CNY 5,000 per transaction and 26,000 a year); business = general trade")
    consumer_year_to_date = MoneyField(
        required=False, help_text="what the consumer bought through that channel this calendar year (annual limit)")
    currency = serializers.RegexField(r"^[A-Za-z]{3}$", required=False)
    shipping = MoneyField(required=False)
    insurance = MoneyField(required=False)
    lines = LandedCostLineSerializer(many=True)


class LandedCostApi(APIView):
    """Duty, import taxes and fees of a consignment, explained rule by rule (the contract of issue 4).

    Anonymous callers are welcome and throttled. Bad input answers 400 with the contract's codes:
    unknown_hs_code, unsupported_destination, invalid_amount, currency_mismatch, invalid_date."""
    # Takes no Idempotency-Key (ewtp/idempotency.py):
    idempotency_exempt = "a quote: it computes and stores nothing"

    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    @extend_schema(
        request=LandedCostInputSerializer,
        responses=inline_serializer("LandedCost", {
            "currency": serializers.CharField(), "customs_value": serializers.DictField(),
            "duty": serializers.DictField(), "taxes": serializers.ListField(), "fees": serializers.ListField(),
            "total_duties_and_taxes": serializers.DictField(), "landed_cost": serializers.DictField(),
            "de_minimis": serializers.DictField(), "lines": serializers.ListField(),
            "explanation": serializers.ListField(child=serializers.CharField())}))
    def post(self, request):
        values = landed_cost_input(request.data)
        destination = values["destination"]
        if selectors.tariff_book().destination(destination) is None:
            raise ApplicationError(format_lazy(_("We do not quote imports into {destination}."), destination=destination),
                                   code="unsupported_destination", field="destination")
        on = values["date"]
        currency = values["currency"] or selectors.destination_currency(destination)
        quote = selectors.landed_cost_quote(
            origin=values["origin"], destination=destination, lines=values["lines"], fx=fx_for_quote(on),
            currency=currency, incoterm=values["incoterm"], on=on,
            shipping=values["shipping"] or Money.zero(currency),
            insurance=values["insurance"] or Money.zero(currency),
            buyer_is_consumer=values["buyer_is_consumer"], consumer_year_to_date=values["consumer_year_to_date"])
        return Response(selectors.quote_as_json(quote))


def _hs_json(entry) -> dict:
    return {"code": entry.code, "description": entry.description, "description_zh": entry.description_zh,
            "level": entry.level}


class HsSearchApi(APIView):
    """HS 2022 codes by prefix ("6109", "0902.10") or by words in English ("green tea") or Chinese ("茶叶")."""

    permission_classes = [AllowAny]

    @extend_schema(operation_id="v1_customs_hs_search", parameters=[OpenApiParameter("q", str),
                                                                     OpenApiParameter("limit", int)],
                   responses=inline_serializer("HsResults", {"results": serializers.ListField()}))
    def get(self, request):
        limit = min(max(parse_int(request.query_params.get("limit", "20"), field="limit", signed=True,
                                  message="limit must be a whole number."), 1), 100)
        results = selectors.hs_search(request.query_params.get("q", ""), limit=limit)
        return Response({"results": [_hs_json(entry) for entry in results]})


class HsDetailApi(APIView):
    """One code: its chapter, heading and subheading, and with ?destination= the measures that apply there
    (MFN, preferences with their agreement and conditions, additional duties, restrictions, VAT/GST), each
    with its source. ?origin= narrows preferences and additional duties to one origin; ?date= (YYYY-MM-DD)
    reads the measures in force on that day."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[OpenApiParameter("destination", str), OpenApiParameter("origin", str),
                               OpenApiParameter("date", str)],
                   responses=inline_serializer("HsDetail", {"code": serializers.CharField(),
                                                            "mfn": serializers.DictField(allow_null=True)}))
    def get(self, request, code: str):
        params = request.query_params
        destination = params.get("destination", "").strip().upper()
        origin = params.get("origin", "").strip().upper()
        if origin and (len(origin) != 2 or not origin.isalpha()):
            raise ApplicationError("origin must be a two-letter country code.", code="invalid", field="origin")
        on = None
        if params.get("date"):
            try:
                on = date.fromisoformat(params["date"])
            except ValueError as exc:
                raise ApplicationError("Give the date as YYYY-MM-DD.", code="invalid_date", field="date") from exc
        detail = selectors.hs_detail(code=code, destination=destination or None, origin=origin or None, on=on)
        return Response(detail)


IsCustomsOfficer = HasPermission(DECIDE_CLEARANCE)


def _is_officer(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(DECIDE_CLEARANCE))


def _company_id(user) -> int | None:
    company = company_of(user)
    return company.pk if company is not None else None


def _case_for(user, pk: int) -> tuple[ClearanceCase, str]:
    """The case and the viewer's role (officer | seller | buyer); NotFound for anyone else."""
    case = selectors.case_detail(case_id=pk)
    if case is not None:
        if _is_officer(user):
            return case, "officer"
        if case.company_id == _company_id(user):
            return case, "seller"
        if case.buyer_id == user.pk:
            return case, "buyer"
    raise NotFound("No such clearance case.")


def _case_json(case: ClearanceCase, role: str = "officer") -> dict:
    """Officers see everything; sellers their findings in plain words (never a list entry or
    score); buyers the status only."""
    data = {"id": case.id, "shipment_reference": case.shipment_reference, "status": case.status,
            "destination": case.destination, "updated_at": case.updated_at}
    if role == "buyer":
        return data
    findings = getattr(case, "active_findings", None)
    if findings is None:
        findings = [f for f in case.findings.all() if f.superseded_at is None]
    data.update({"held_at": case.held_at, "decided_at": case.decided_at})
    if role == "seller":
        data["findings"] = sorted({selectors.finding_summary_for_seller(f) for f in findings})
        data["open_document_requests"] = [{"id": r.pk, "kinds": r.kinds, "message": r.message}
                                          for r in case.document_requests.all() if r.answered_at is None]
        return data
    data.update({
        "company_id": case.company_id, "escalated_at": case.escalated_at,
        "customs_value_eur": str(case.customs_value_eur) if case.customs_value_eur is not None else None,
        "assigned_to": case.assigned_to.email if case.assigned_to else None,
        "last_error": case.last_error, "error_step": case.error_step, "mrn": case.mrn, "lrn": case.lrn,
        "authority_answer": case.authority_answer,
        "rejection_proposed_by": case.rejection_proposed_by.email if case.rejection_proposed_by else None,
        "findings": [{"kind": f.kind, "message": f.message, "evidence": f.evidence} for f in findings]})
    return data


def _case_detail_json(case: ClearanceCase, role: str) -> dict:
    data = _case_json(case, role)
    if role == "officer":
        data.update({"declaration": case.declaration, "assessment": case.assessment,
                     "documents": [{"id": d.pk, "kind": d.kind, "name": d.original_name, "size": d.size,
                                    "content_type": d.content_type, "uploaded_at": d.created_at}
                                   for d in case.documents.all()],
                     "events": [{"action": e.action, "from_status": e.from_status, "to_status": e.to_status,
                                 "actor": e.actor.email if e.actor else None, "note": e.note, "at": e.created_at}
                                for e in case.events.all()]})
    return data


CaseOut = inline_serializer("ClearanceCase", {"id": serializers.IntegerField(), "status": serializers.CharField(),
                                              "shipment_reference": serializers.CharField()})


class CaseListApi(APIView):
    """Officers: the hold queue (or ?status=all), filterable; sellers: their own cases; buyers:
    the status of the cases of their orders."""

    required_permissions = {"GET": DECIDE_CLEARANCE, "owners": True}  # officers see all, others their own

    @extend_schema(operation_id="v1_customs_cases_list",
                   parameters=[OpenApiParameter(n, str) for n in ("status", "destination", "reason", "seller",
                                                                  "min_value", "max_value")],
                   responses=inline_serializer("Cases", {"results": serializers.ListField()}))
    def get(self, request):
        user, params = request.user, request.query_params
        if not user.is_authenticated:
            raise NotAuthenticated
        if _is_officer(user):
            values = {name: parse_decimal(params[name], field=name, message="Give the value as a number.")
                      if params.get(name) else None for name in ("min_value", "max_value")}
            seller = params.get("seller", "")
            seller = parse_int(seller, field="seller", minimum=1, message="Give the seller's number.") if seller else None
            statuses = [s for s, _ in ClearanceCase.Status.choices] if params.get("status") == "all" \
                else [params["status"]] if params.get("status") else selectors.HOLD_STATUSES
            cases = selectors.cases_held(destination=params.get("destination", ""), kind=params.get("reason", ""),
                                         seller=seller, min_value_eur=values["min_value"],
                                         max_value_eur=values["max_value"], statuses=statuses)[:200]
            return Response({"results": [_case_json(case) for case in cases]})
        company_id = _company_id(user)
        if company_id is not None:
            cases = selectors.cases_for_company(company_id=company_id).prefetch_related("document_requests")[:200]
            return Response({"results": [_case_json(case, "seller") for case in cases]})
        cases = ClearanceCase.objects.filter(buyer_id=user.pk).order_by("-created_at")[:200]
        return Response({"results": [_case_json(case, "buyer") for case in cases]})


class CaseDetailApi(APIView):
    required_permissions = {"GET": DECIDE_CLEARANCE, "owners": True}  # officers see all, others their own

    @extend_schema(responses=CaseOut)
    def get(self, request, pk: int):
        if not request.user.is_authenticated:
            raise NotAuthenticated
        case, role = _case_for(request.user, pk)
        return Response(_case_detail_json(case, role))


class CaseReleaseApi(APIView):
    permission_classes = [IsCustomsOfficer]

    @extend_schema(request=inline_serializer("Release", {"note": serializers.CharField(required=False)}),
                   responses=CaseOut)
    @idempotent
    def post(self, request, pk: int):
        case = services.case_release(case_id=pk, officer=request.user, note=str(request.data.get("note", ""))[:1000])
        return Response(_case_json(case))


class CaseRejectApi(APIView):
    permission_classes = [IsCustomsOfficer]

    @extend_schema(request=inline_serializer("Reject", {"reason": serializers.CharField()}), responses=CaseOut)
    @idempotent
    def post(self, request, pk: int):
        case = services.case_reject(case_id=pk, officer=request.user, reason=str(request.data.get("reason", ""))[:1000])
        return Response(_case_json(case))


class CaseAssignApi(APIView):
    permission_classes = [IsCustomsOfficer]

    @extend_schema(request=None, responses=CaseOut)
    @idempotent
    def post(self, request, pk: int):
        return Response(_case_json(services.case_assign(case_id=pk, officer=request.user)))


class CaseNoteApi(APIView):
    permission_classes = [IsCustomsOfficer]

    @extend_schema(request=inline_serializer("Note", {"note": serializers.CharField()}), responses=CaseOut)
    @idempotent
    def post(self, request, pk: int):
        case = services.case_add_note(case_id=pk, officer=request.user, note=str(request.data.get("note", ""))[:1000])
        return Response(_case_json(case), status=201)


class CaseRetryApi(APIView):
    permission_classes = [IsCustomsOfficer]

    @extend_schema(request=None, responses=CaseOut)
    @idempotent
    def post(self, request, pk: int):
        return Response(_case_json(services.case_retry(case_id=pk, officer=request.user)))


class CaseDocumentRequestApi(APIView):
    permission_classes = [IsCustomsOfficer]

    @extend_schema(request=inline_serializer("DocumentRequest", {
        "kinds": serializers.ListField(child=serializers.CharField()), "message": serializers.CharField()}),
        responses=inline_serializer("DocumentRequested", {"id": serializers.IntegerField()}))
    @idempotent
    def post(self, request, pk: int):
        kinds = request.data.get("kinds")
        if not isinstance(kinds, list):
            raise ApplicationError("Give the documents as a list.", code="invalid_documents", field="kinds")
        made = services.case_request_documents(case_id=pk, officer=request.user, kinds=[str(k) for k in kinds],
                                               message=str(request.data.get("message", ""))[:1000])
        return Response({"id": made.pk, "kinds": made.kinds, "message": made.message}, status=201)


class CaseDocumentUploadApi(APIView):
    """The seller uploads a requested document (multipart: kind, file); the case is screened again."""

    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": inline_serializer("DocumentUpload", {
        "kind": serializers.CharField(), "file": serializers.FileField(),
        "proof_agreement": serializers.CharField(required=False, help_text="proof of origin: the agreement"),
        "proof_number": serializers.CharField(required=False, help_text="proof of origin: its number"),
        "proof_issued_on": serializers.DateField(required=False, help_text="proof of origin: its date")})},
        responses=inline_serializer("Document", {"id": serializers.IntegerField()}))
    @idempotent
    def post(self, request, pk: int):
        if not request.user.is_authenticated:
            raise NotAuthenticated
        document = services.case_document_upload(case_id=pk, company_id=_company_id(request.user), user=request.user,
                                                 kind=str(request.data.get("kind", "")),
                                                 upload=request.FILES.get("file"),
                                                 proof={"agreement": str(request.data.get("proof_agreement", "")),
                                                        "number": str(request.data.get("proof_number", "")),
                                                        "issued_on": str(request.data.get("proof_issued_on", ""))})
        return Response({"id": document.pk, "kind": document.kind, "size": document.size}, status=201)


class ClearanceDashboardApi(APIView):
    permission_classes = [IsCustomsOfficer]

    @extend_schema(responses=inline_serializer("ClearanceDashboard", {"per_state": serializers.DictField()}))
    def get(self, request):
        data = selectors.clearance_dashboard()
        data["holds_per_reason"] = dict(selectors.hold_counts_by_reason())
        return Response(data)


# --- declarations for the authorities (the EU's H7 data set, the WCO Data Model) ---------------

_STANDARD_NAMES = {"h7": "H7", "wco": "WCO Data Model"}


def _export_syntax(request) -> str:
    syntax = request.query_params.get("as", "json")
    if syntax not in ("json", "xml"):
        raise _bad("Give as=json or as=xml.", "as")
    return syntax


def _refused(entry: dict, standard: str) -> Response:
    """A declaration that fails validation: 422 in the error shape, with every violation."""
    violations = entry["violations"]
    first = violations[0]
    return Response({"error": {"code": "invalid_declaration", "field": first["path"],
                               "message": f"The declaration of {entry['shipment_reference']} fails "
                                          f"{_STANDARD_NAMES[standard]} validation: "
                                          f"{first['element']}: {first['message']}",
                               "violations": violations}}, status=422)


class CaseDeclarationH7Api(APIView):
    """The case's declaration as the EU's H7 data set (.../declaration/h7/) or as the WCO Data Model
    (.../declaration/wco/), ?as=json (the default) or ?as=xml, validated first: one that fails is a 422
    listing its violations, never exported. Officers see every case, the seller its own; anyone else
    gets 404."""

    required_permissions = {"GET": DECIDE_CLEARANCE, "owners": True}
    standard = "h7"

    @extend_schema(operation_id="v1_customs_case_declaration_h7",
                   parameters=[OpenApiParameter("as", str, enum=["json", "xml"])],
                   responses=inline_serializer("DeclarationExport", {"declaration": serializers.DictField()}))
    def get(self, request, pk: int):
        from django.http import HttpResponse

        from customs.domain.declarations import h7, wco

        if not request.user.is_authenticated:
            raise NotAuthenticated
        syntax = _export_syntax(request)
        case, role = _case_for(request.user, pk)
        if role == "buyer":
            raise NotFound("No such clearance case.")
        standard = self.standard
        declaration, violations = selectors.case_declaration(case=case, standard=standard)
        if violations:
            return _refused(selectors.case_export(case=case, standard=standard), standard)
        if syntax == "xml":
            return HttpResponse(declaration.to_xml(), content_type="application/xml; charset=utf-8")
        elements = ({n: e.name for n, e in h7.ELEMENTS.items()} if standard == "h7" else
                    {path: {"id": e.wco_id, "name": e.name, "format": e.format} for path, e in wco.ELEMENTS.items()})
        return Response({"case": case.pk, "shipment_reference": case.shipment_reference,
                         "destination": case.destination, "declaration": declaration.to_json(),
                         "elements": elements})


@extend_schema_view(get=extend_schema(operation_id="v1_customs_case_declaration_wco"))
class CaseDeclarationWcoApi(CaseDeclarationH7Api):
    standard = "wco"


class DeclarationsH7Api(APIView):
    """Officers: the declarations of the cases declared in a period (?from=2026-01-01&to=2026-01-31,
    both days included, at most selectors.EXPORT_MAX_DAYS) as H7 (declarations/h7/) or as the WCO Data
    Model (declarations/wco/): the valid ones under "declarations", those that fail validation under
    "refused" with their violations."""

    permission_classes = [IsCustomsOfficer]
    standard = "h7"

    @extend_schema(operation_id="v1_customs_declarations_h7",
                   parameters=[OpenApiParameter("from", str), OpenApiParameter("to", str)],
                   responses=inline_serializer("DeclarationBulkExport", {"declarations": serializers.ListField(),
                                                                         "refused": serializers.ListField()}))
    def get(self, request):
        start, end = selectors.export_period(start=request.query_params.get("from"),
                                             end=request.query_params.get("to"))
        return Response(selectors.cases_export(start=start, end=end, standard=self.standard))


@extend_schema_view(get=extend_schema(operation_id="v1_customs_declarations_wco"))
class DeclarationsWcoApi(DeclarationsH7Api):
    standard = "wco"
