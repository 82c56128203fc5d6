"""Thin API views: parse input, call one service or selector, shape the output."""

from decimal import Decimal

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import company_of
from accounts.services import user_signup
from ewtp.exceptions import ApplicationError, NotFound
from ewtp.idempotency import idempotent
from ewtp.money import Money
from ewtp.numbers import parse_int
from marketplace import selectors
from marketplace.models import Listing, Order
from marketplace.services.cart import cart_add, cart_line_update
from marketplace.services.checkout import QuoteChanged, cart_checkout, checkout_pay, order_place
from marketplace.services.listing_import import IMPORT_MAX_BYTES, listing_import
from marketplace.services.listings import (
    listing_create,
    listing_declare_origin,
    listing_photo_add,
    listing_photo_delete,
    listing_set_status,
    listing_update,
)
from marketplace.services.orders import order_book_shipment
from marketplace.services.rfq import rfq_accept, rfq_create, rfq_decline, rfq_quote
from payments.models import Payment


class SignupApi(APIView):
    # Takes no Idempotency-Key (ewtp/idempotency.py):
    idempotency_exempt = "anonymous, so no caller to scope a key to; a second signup with the email is refused"
    permission_classes = [AllowAny]

    class SignupInputSerializer(serializers.Serializer):
        email = serializers.EmailField()
        password = serializers.CharField(min_length=8, max_length=128)
        full_name = serializers.CharField(max_length=200, required=False, default="")
        country = serializers.RegexField(r"^[A-Za-z]{2}$", required=False, default="")

    @extend_schema(request=SignupInputSerializer, responses={201: inline_serializer("Token", {"token": serializers.CharField()})})
    def post(self, request):
        data = self.SignupInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            user = user_signup(**data.validated_data)
            token = Token.objects.create(user=user)
        return Response({"token": token.key}, status=status.HTTP_201_CREATED)


class ListingOutputSerializer(serializers.ModelSerializer):
    price = serializers.SerializerMethodField()
    category = serializers.SerializerMethodField()
    tiers = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()

    class Meta:
        model = Listing
        fields = ["id", "title_en", "title_zh", "description_en", "description_zh", "category", "hs_code",
                  "origin_country", "price", "tiers", "stock", "moq", "retail", "b2b_only", "weight_kg", "length_cm",
                  "width_cm", "height_cm", "does_not_ship_to", "status", "photos", "updated_at"]

    def get_price(self, listing) -> dict:
        return listing.price.as_json()

    def get_category(self, listing) -> str | None:
        return listing.category.path if listing.category_id else None

    def get_tiers(self, listing) -> list[dict]:
        return [{"min_quantity": t.min_quantity, "price": {"amount": str(t.price_amount), "currency": listing.currency}}
                for t in listing.tiers.all()]

    def get_photos(self, listing) -> list[dict]:
        return [{"id": p.id, "url": p.image.url, "thumbnail": p.thumbnail.url, "width": p.width, "height": p.height}
                for p in listing.photos.all()]


class TierInputSerializer(serializers.Serializer):
    min_quantity = serializers.IntegerField(min_value=2, max_value=10_000_000)
    price_amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))


class ListingInputSerializer(serializers.Serializer):
    title_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    title_zh = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    description_en = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    description_zh = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    category = serializers.CharField(required=False, allow_blank=True, max_length=400,
                                     help_text="A category path, e.g. food/tea")
    hs_code = serializers.RegexField(r"^\d{6,10}$", error_messages={"invalid": "An HS code has 6 to 10 digits."})
    origin_country = serializers.RegexField(r"^[A-Z]{2}$")
    price_amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    stock = serializers.IntegerField(min_value=0, max_value=10_000_000)
    moq = serializers.IntegerField(min_value=1, max_value=10_000_000, default=1)
    retail = serializers.BooleanField(default=True)
    b2b_only = serializers.BooleanField(default=False)
    weight_kg = serializers.DecimalField(max_digits=8, decimal_places=3, min_value=Decimal("0.001"))
    length_cm = serializers.DecimalField(max_digits=6, decimal_places=1, min_value=Decimal("0.1"), required=False)
    width_cm = serializers.DecimalField(max_digits=6, decimal_places=1, min_value=Decimal("0.1"), required=False)
    height_cm = serializers.DecimalField(max_digits=6, decimal_places=1, min_value=Decimal("0.1"), required=False)
    tiers = TierInputSerializer(many=True, required=False)
    does_not_ship_to = serializers.ListField(
        child=serializers.RegexField(r"^[A-Z]{2}$"), max_length=300, required=False,
        help_text="Countries (ISO alpha-2; EU for its member states) the listing is not shipped to.")
    publish = serializers.BooleanField(default=False)
    status = serializers.ChoiceField(choices=["draft", "published", "suspended"], required=False)


def _listing_values(values: dict) -> tuple[dict, list | None, str | None]:
    from marketplace.models import Category

    tiers = values.pop("tiers", None)
    status_value = values.pop("status", None)
    values.pop("publish", None)
    if "category" in values:
        path = values.pop("category")
        category = Category.objects.filter(path=path).first() if path else None
        if path and category is None:
            raise ApplicationError(f"There is no category {path}.", code="unknown_category", field="category")
        values["category"] = category
    tier_pairs = None if tiers is None else [(t["min_quantity"], t["price_amount"]) for t in tiers]
    return values, tier_pairs, status_value


def _own_listing(request, pk: int) -> Listing:
    """A listing of the caller's company, or 404: another company's listing does not exist for them."""
    company = company_of(request.user)
    listing = (Listing.objects.filter(pk=pk, company=company).select_related("category")
               .prefetch_related("tiers", "photos").first() if company else None)
    if listing is None:
        raise NotFound("No such listing.")
    return listing


class ListingListCreateApi(APIView):
    """The caller's company's listings, drafts included (other companies' are never listed)."""

    @extend_schema(responses=ListingOutputSerializer(many=True))
    def get(self, request):
        company = company_of(request.user)
        listings = (company.listings.select_related("category").prefetch_related("tiers", "photos")[:500]
                    if company else [])
        return Response(ListingOutputSerializer(listings, many=True).data)

    @extend_schema(request=ListingInputSerializer, responses={201: ListingOutputSerializer})
    @idempotent
    def post(self, request):
        data = ListingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        publish = data.validated_data.get("publish") or data.validated_data.get("status") == "published"
        values, tiers, _status = _listing_values(dict(data.validated_data))
        listing = listing_create(user=request.user, data=values, publish=publish, tiers=tiers)
        return Response(ListingOutputSerializer(_own_listing(request, listing.pk)).data,
                        status=status.HTTP_201_CREATED)


class ListingDetailApi(APIView):
    """One of the caller's company's listings: read, change (partial), or take down."""

    @extend_schema(responses=ListingOutputSerializer)
    def get(self, request, pk: int):
        return Response(ListingOutputSerializer(_own_listing(request, pk)).data)

    @extend_schema(request=ListingInputSerializer, responses=ListingOutputSerializer)
    def patch(self, request, pk: int):
        _own_listing(request, pk)
        data = ListingInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values, tiers, status_value = _listing_values(dict(data.validated_data))
        with transaction.atomic():
            listing_update(user=request.user, listing_id=pk, data=values, tiers=tiers)
            if status_value:
                listing_set_status(user=request.user, listing_id=pk, status=status_value)
        return Response(ListingOutputSerializer(_own_listing(request, pk)).data)

    @extend_schema(responses=ListingOutputSerializer)
    def delete(self, request, pk: int):
        """Listings stay for the orders that name them: deleting takes the listing down (suspended)."""
        _own_listing(request, pk)
        listing_set_status(user=request.user, listing_id=pk, status="suspended")
        return Response(ListingOutputSerializer(_own_listing(request, pk)).data)


class ListingPhotosApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": {"type": "object", "properties": {
        "photo": {"type": "string", "format": "binary"}}}}, responses={201: ListingOutputSerializer})
    @idempotent
    def post(self, request, pk: int):
        _own_listing(request, pk)
        upload = request.FILES.get("photo")
        if upload is None:
            raise ApplicationError("Attach the photo as the 'photo' field.", code="required", field="photo")
        listing_photo_add(user=request.user, listing_id=pk, upload=upload)
        return Response(ListingOutputSerializer(_own_listing(request, pk)).data, status=status.HTTP_201_CREATED)


class ListingPhotoApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, pk: int, photo_pk: int):
        _own_listing(request, pk)
        listing_photo_delete(user=request.user, listing_id=pk, photo_id=photo_pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ListingMaterialSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    hs_code = serializers.CharField(max_length=12, help_text="HS 2022 chapter, heading or subheading, e.g. 0902.10")
    origin = serializers.CharField(max_length=2, help_text="ISO 3166 country code")
    value = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0,
                                     help_text="in the listing's currency, for one unit")


class ListingOriginSerializer(serializers.Serializer):
    ex_works_price = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0)
    wholly_obtained = serializers.BooleanField(default=False)
    exporter_reference = serializers.CharField(max_length=64, required=False, allow_blank=True,
                                               help_text="REX number / approved exporter authorisation")
    materials = ListingMaterialSerializer(many=True, required=False)
    currency = serializers.CharField(read_only=True)


class ListingOriginApi(APIView):
    """The seller's materials declaration for the listing's rule of origin (checked field by field; a
    claimed preference is granted at clearance only where the agreement's rule is met)."""

    @extend_schema(responses={200: ListingOriginSerializer})
    def get(self, request, pk: int):
        listing = _own_listing(request, pk)
        declaration = getattr(listing, "origin_declaration", None)
        if declaration is None:
            raise NotFound("No origin declaration for this listing yet.")
        return Response(declaration.as_json())

    @extend_schema(request=ListingOriginSerializer, responses={200: ListingOriginSerializer})
    def put(self, request, pk: int):
        _own_listing(request, pk)
        declaration = listing_declare_origin(user=request.user, listing_id=pk, data=request.data)
        return Response(declaration.as_json())


class CatalogApi(APIView):
    """The catalog with the same filters as the page; each result carries the landed cost of its
    minimum order to the buyer's country in the buyer's currency. `next` is the next page number."""

    permission_classes = [AllowAny]
    MAX_PAGE_SIZE = 48

    @extend_schema(
        parameters=[OpenApiParameter(name, str, required=False) for name in
                    ("q", "country", "category", "origin", "seller", "price_min", "price_max", "ships_to_me", "sort",
                     "page", "page_size")],
        responses=inline_serializer("CatalogPage", {
            "destination": serializers.CharField(), "currency": serializers.CharField(),
            "page": serializers.IntegerField(), "next": serializers.IntegerField(allow_null=True),
            "results": serializers.ListField(child=serializers.DictField())}))
    def get(self, request):
        params = request.query_params
        buyer = selectors.buyer_context_for(request.user, country=_country_param(params.get("country")))
        filters = selectors.catalog_filters_from(params)
        page = _positive_int(params.get("page"), default=1, field="page", maximum=10_000)
        size = _positive_int(params.get("page_size"), default=self.MAX_PAGE_SIZE, field="page_size",
                             maximum=self.MAX_PAGE_SIZE)
        start = (page - 1) * size
        # One row past the page says whether there is a next one, without counting the matches.
        listings = selectors.catalog_search(filters=filters, buyer=buyer)[start:start + size + 1]
        cards = selectors.catalog_cards(listings, buyer)
        results = [{
            "id": card.id, "title": card.title, "seller": card.seller_name, "seller_id": card.seller_id,
            "origin_country": card.origin_country, "hs_code": card.hs_code, "category": card.category_path,
            "price": card.price.as_json(), "moq": card.moq,
            "landed_cost": card.landed.landed_cost.as_json() if card.landed else None,
            # The duty is under manual assessment: customs assesses it at import, landed_cost leaves it out.
            "duty_assessed_at_import": bool(card.landed and card.landed.duty_assessed_at_import),
            "duty_assessment_reason": (card.landed.manual_reason or None) if card.landed else None,
            "destination": buyer.country,
        } for card in cards[:size]]
        return Response({"destination": buyer.country, "currency": buyer.currency, "page": page,
                         "next": page + 1 if len(cards) > size else None, "results": results})


def _country_param(value: str | None) -> str | None:
    if value and not (len(value) == 2 and value.isalpha()):
        raise ApplicationError("Use a two-letter ISO country code.", code="invalid_country", field="country")
    return value


def _positive_int(value: str | None, *, default: int, field: str, maximum: int) -> int:
    if value in (None, ""):
        return default
    return parse_int(value, field=field, minimum=1, maximum=maximum, message=f"Use a whole number from 1 to {maximum}.")


class OrderOutputSerializer(serializers.ModelSerializer):
    reference = serializers.CharField()
    total = serializers.SerializerMethodField()
    checkout = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = ["id", "reference", "checkout", "status", "incoterm", "currency", "total", "quote",
                  "quote_expires_at", "shipping_service", "ship_country"]

    def get_total(self, order) -> dict:
        return order.total.as_json()

    def get_checkout(self, order) -> str | None:
        """The checkout the order is paid in (one payment for all its orders)."""
        if "checkout" in self.context:
            return self.context["checkout"]
        return order.checkout.reference if order.checkout else None


class CheckoutOutputSerializer(serializers.Serializer):
    reference = serializers.CharField()
    status = serializers.SerializerMethodField(
        help_text="The payment's status; compliance_hold while staff review a denied-party match (no payment "
                  "exists yet), compliance_refused once they refused it (cancelled, nothing charged).")
    provider = serializers.CharField(source="payment.provider", default=None, allow_null=True)
    client_secret = serializers.CharField(source="payment.client_secret", default=None, allow_null=True,
                                          help_text="For Stripe.js's Payment Element (Stripe only).")
    total = serializers.SerializerMethodField()

    def get_status(self, checkout) -> str:
        if checkout.payment is not None:
            return checkout.payment.status
        return "compliance_refused" if checkout.refused else "compliance_hold"
    quote_expires_at = serializers.DateTimeField()
    orders = serializers.SerializerMethodField()

    def get_total(self, checkout) -> dict:
        return checkout.total.as_json()

    @extend_schema_field(OrderOutputSerializer(many=True))
    def get_orders(self, checkout) -> list:
        return OrderOutputSerializer(checkout.orders, many=True, context={"checkout": checkout.reference}).data


ACCEPT_DAP_HELP = ("A DDP order with a line whose duty customs assesses at import (manual assessment) is refused "
                   "with 409 manual_assessment naming the lines; true places it as DAP (duties payable on delivery).")
MANUAL_ASSESSMENT_ERROR = inline_serializer("ManualAssessmentError", {"error": serializers.DictField(
    help_text="code manual_assessment; lines: [{hs_code, description, reason, seller}]")})


class OrderCreateApi(APIView):
    class OrderInputSerializer(serializers.Serializer):
        listing = serializers.IntegerField(min_value=1)
        quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)
        incoterm = serializers.ChoiceField(choices=["DDP", "DAP"], default="DDP")
        accept_dap = serializers.BooleanField(default=False, help_text=ACCEPT_DAP_HELP)
        idempotency_key = serializers.CharField(max_length=80, required=False)

    @extend_schema(request=OrderInputSerializer, responses={201: OrderOutputSerializer, 409: MANUAL_ASSESSMENT_ERROR})
    @idempotent
    def post(self, request):
        data = self.OrderInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        key = data.validated_data.get("idempotency_key") or request.headers.get("Idempotency-Key")
        order = order_place(buyer=request.user, listing_id=data.validated_data["listing"],
                            quantity=data.validated_data["quantity"],
                            incoterm=data.validated_data["incoterm"], idempotency_key=key,
                            accept_dap=data.validated_data["accept_dap"])
        return Response(OrderOutputSerializer(order).data, status=status.HTTP_201_CREATED)


def _visible_order(request, pk: int) -> Order:
    order = Order.objects.filter(pk=pk).select_related("company", "checkout").first()
    if order is None or not (order.buyer_id == request.user.pk
                             or order.company.members.filter(user=request.user).exists()):
        raise NotFound("No such order.")
    return order


class OrderDetailApi(APIView):
    @extend_schema(responses=OrderOutputSerializer)
    def get(self, request, pk: int):
        return Response(OrderOutputSerializer(_visible_order(request, pk)).data)


class BookShipmentInputSerializer(serializers.Serializer):
    claim_preference = serializers.BooleanField(
        default=False, help_text="Claim preferential origin; the proof of origin is required at clearance.")


class OrderBookShipmentApi(APIView):
    @extend_schema(request=BookShipmentInputSerializer, responses=inline_serializer(
        "Booking", {"status": serializers.CharField(), "tracking_number": serializers.CharField()}))
    @idempotent
    def post(self, request, pk: int):
        data = BookShipmentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        shipment = order_book_shipment(user=request.user, order_id=pk,
                                       claim_preference=data.validated_data["claim_preference"])
        return Response({"status": shipment.status, "tracking_number": shipment.tracking_number},
                        status=status.HTTP_202_ACCEPTED)


# ---------------------------------------------------------------- cart

class CartApi(APIView):
    """The buyer's cart grouped by seller, each group quoted as the order it will become."""

    @extend_schema(responses=inline_serializer("Cart", {"groups": serializers.ListField(child=serializers.DictField())}))
    def get(self, request):
        buyer = selectors.buyer_context_for(request.user)
        groups = selectors.cart_view(selectors.cart_for_request(request), buyer)
        return Response({"destination": buyer.country, "currency": buyer.currency, "groups": [{
            "seller": group.company.legal_name, "seller_id": group.company.pk,
            "lines": [{"id": line.id, "listing": line.listing_id, "title": line.listing.title,
                       "quantity": line.quantity, "unit_price": line.unit_price.as_json(),
                       "quotation": line.quotation_id} for line in group.lines],
            "landed_cost": group.quote.landed_cost.as_json() if group.quote else None,
            "error": group.error or None,
        } for group in groups]})


class CartLineAddApi(APIView):
    class CartLineAddInputSerializer(serializers.Serializer):
        listing = serializers.IntegerField(min_value=1)
        quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)

    @extend_schema(request=CartLineAddInputSerializer, responses={201: inline_serializer("CartLine", {
        "id": serializers.IntegerField(), "quantity": serializers.IntegerField()})})
    @idempotent
    def post(self, request):
        data = self.CartLineAddInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        line = cart_add(cart=selectors.cart_for_request(request, create=True),
                        listing_id=data.validated_data["listing"], quantity=data.validated_data["quantity"],
                        user=request.user)
        return Response({"id": line.id, "quantity": line.quantity}, status=status.HTTP_201_CREATED)


class CartLineApi(APIView):
    class CartLineInputSerializer(serializers.Serializer):
        quantity = serializers.IntegerField(min_value=0, max_value=1_000_000)

    def _cart(self, request):
        cart = selectors.cart_for_request(request)
        if cart is None:
            raise NotFound("No such cart line.")
        return cart

    @extend_schema(request=CartLineInputSerializer, responses=inline_serializer("CartLineQuantity", {
        "id": serializers.IntegerField(), "quantity": serializers.IntegerField()}))
    def patch(self, request, pk: int):
        data = self.CartLineInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        line = cart_line_update(cart=self._cart(request), line_id=pk,
                                quantity=data.validated_data["quantity"])
        return Response({"id": pk, "quantity": line.quantity if line else 0})

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        cart_line_update(cart=self._cart(request), line_id=pk, quantity=0)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CartCheckoutApi(APIView):
    """One order per seller and one payment for them all: pay it at /checkouts/{reference}/pay/."""

    class CartCheckoutInputSerializer(serializers.Serializer):
        incoterm = serializers.ChoiceField(choices=["DDP", "DAP"], default="DDP")
        accept_dap = serializers.BooleanField(default=False, help_text=ACCEPT_DAP_HELP)
        idempotency_key = serializers.CharField(max_length=60, required=False)

    @extend_schema(request=CartCheckoutInputSerializer,
                   responses={201: CheckoutOutputSerializer, 409: MANUAL_ASSESSMENT_ERROR})
    @idempotent
    def post(self, request):
        data = self.CartCheckoutInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        key = data.validated_data.get("idempotency_key") or request.headers.get("Idempotency-Key")
        checkout = cart_checkout(buyer=request.user, incoterm=data.validated_data["incoterm"],
                                 idempotency_key=key, accept_dap=data.validated_data["accept_dap"])
        return Response(CheckoutOutputSerializer(checkout).data, status=status.HTTP_201_CREATED)


def _own_checkout(request, reference: str):
    checkout = selectors.checkout_get(buyer=request.user, reference=reference)
    if checkout is None:
        raise NotFound("No such checkout.")
    return checkout


class CheckoutDetailApi(APIView):
    @extend_schema(responses=CheckoutOutputSerializer)
    def get(self, request, reference: str):
        return Response(CheckoutOutputSerializer(_own_checkout(request, reference)).data)


class MoneyInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.RegexField(r"^[A-Za-z]{3}$", help_text="ISO 4217, e.g. EUR")


class CheckoutPayApi(APIView):
    """Pay every order of a checkout at once. `expected_total` is the total the buyer agreed to: the
    server charges its own total, and only when the two agree. An expired quote is re-quoted first:
    409 `quote_changed` lists what changed; pay again with the new total to confirm it."""

    class CheckoutPayInputSerializer(serializers.Serializer):
        expected_total = MoneyInputSerializer()
        card_number = serializers.CharField(max_length=23, required=False, default="",
                                            help_text="Sandbox only: a test card number.")
        payment_method = serializers.CharField(max_length=100, required=False, default="",
                                               help_text="Stripe only: a PaymentMethod id made by Stripe.js.")

    @extend_schema(request=CheckoutPayInputSerializer, responses={
        200: CheckoutOutputSerializer,
        409: inline_serializer("QuoteChangedError", {"error": serializers.DictField(),
                                                     "changes": serializers.ListField(child=serializers.DictField())}),
    })
    @idempotent
    def post(self, request, reference: str):
        data = self.CheckoutPayInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        expected = data.validated_data["expected_total"]
        try:
            payment = checkout_pay(
                buyer=request.user, reference=reference,
                expected_total=Money(expected["amount"], expected["currency"].upper()),
                card_number=data.validated_data["card_number"], payment_method=data.validated_data["payment_method"])
        except QuoteChanged as exc:
            return Response({**exc.as_json(), "changes": exc.changes}, status=status.HTTP_409_CONFLICT)
        if payment.status == Payment.Status.FAILED:
            return Response({"error": {"code": "card_declined", "message": payment.failure_reason,
                                       "field": "card_number"}}, status=status.HTTP_402_PAYMENT_REQUIRED)
        return Response(CheckoutOutputSerializer(_own_checkout(request, reference)).data)


class ListingImportApi(APIView):
    """A CSV or XLSX of listings: the row-by-row report; written only when not a dry run and every row is
    valid (or `valid_only`)."""

    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": {"type": "object", "properties": {
        "file": {"type": "string", "format": "binary"}, "dry_run": {"type": "boolean"},
        "valid_only": {"type": "boolean"}}}},
        responses=inline_serializer("ImportReport", {"written": serializers.BooleanField(),
                                                     "rows": serializers.ListField(child=serializers.DictField())}))
    @idempotent
    def post(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            raise ApplicationError("Attach the spreadsheet as the 'file' field.", code="required", field="file")
        flag = lambda name, default: str(request.data.get(name, default)).lower() in ("1", "true", "yes", "on")  # noqa: E731
        report = listing_import(user=request.user, name=upload.name,
                                data=upload.read(IMPORT_MAX_BYTES + 1),
                                dry_run=flag("dry_run", "true"), valid_only=flag("valid_only", "false"))
        if report.error:
            raise ApplicationError(report.error, code="invalid_file", field=report.error_column or "file")
        code = status.HTTP_201_CREATED if report.written else status.HTTP_200_OK
        if report.errors and not report.dry_run and not report.written:
            code = status.HTTP_400_BAD_REQUEST
        return Response(report.as_json(), status=code)


# ---------------------------------------------------------------- requests for quotation

def _rfq_json(rfq) -> dict:
    quotation = getattr(rfq, "quotation", None) if rfq.status != "open" else None
    return {"id": rfq.id, "listing": rfq.listing_id, "title": rfq.listing.title, "quantity": rfq.quantity,
            "message": rfq.message, "status": rfq.status,
            "quotation": {"unit_price": quotation.unit_price.as_json(), "valid_until": quotation.valid_until,
                          "note": quotation.note} if quotation else None}


class RfqListCreateApi(APIView):
    """The caller's requests as a buyer and, for a seller, the requests made to the company."""

    class RfqListCreateInputSerializer(serializers.Serializer):
        listing = serializers.IntegerField(min_value=1)
        quantity = serializers.IntegerField(min_value=1, max_value=10_000_000)
        message = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")

    @extend_schema(responses=inline_serializer("Rfqs", {"asked": serializers.ListField(), "received": serializers.ListField()}))
    def get(self, request):
        company = company_of(request.user)
        return Response({
            "asked": [_rfq_json(r) for r in selectors.rfqs_for_buyer(request.user)[:200]],
            "received": [_rfq_json(r) for r in selectors.rfqs_for_company(company)[:200]] if company else []})

    @extend_schema(request=RfqListCreateInputSerializer, responses={201: inline_serializer("Rfq", {"id": serializers.IntegerField()})})
    @idempotent
    def post(self, request):
        data = self.RfqListCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rfq = rfq_create(buyer=request.user, listing_id=data.validated_data["listing"],
                         quantity=data.validated_data["quantity"], message=data.validated_data["message"])
        return Response(_rfq_json(rfq), status=status.HTTP_201_CREATED)


class RfqQuoteApi(APIView):
    class RfqQuoteInputSerializer(serializers.Serializer):
        unit_price = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
        valid_days = serializers.IntegerField(min_value=1, max_value=90)
        note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")

    @extend_schema(request=RfqQuoteInputSerializer, responses={201: inline_serializer("RfqQuoted", {"id": serializers.IntegerField()})})
    @idempotent
    def post(self, request, pk: int):
        data = self.RfqQuoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        quotation = rfq_quote(user=request.user, rfq_id=pk, **data.validated_data)
        return Response(_rfq_json(quotation.rfq), status=status.HTTP_201_CREATED)


class RfqDeclineApi(APIView):
    @extend_schema(request=None, responses=inline_serializer("RfqDeclined", {"id": serializers.IntegerField()}))
    @idempotent
    def post(self, request, pk: int):
        return Response(_rfq_json(rfq_decline(user=request.user, rfq_id=pk)))


class RfqAcceptApi(APIView):
    @extend_schema(request=None, responses={201: inline_serializer("RfqAccepted", {"cart_line": serializers.IntegerField()})})
    @idempotent
    def post(self, request, pk: int):
        line = rfq_accept(buyer=request.user, rfq_id=pk)
        return Response({"cart_line": line.id, "quantity": line.quantity,
                         "unit_price": line.quotation.unit_price.as_json()}, status=status.HTTP_201_CREATED)


def _review_json(review) -> dict:
    return {"id": review.pk, "order": review.order_id, "rating": review.rating, "body": review.body,
            "listing": {"id": review.listing_id, "title": review.listing.title},
            "created_at": review.created_at.isoformat(), "reply": review.reply or None,
            "replied_at": review.replied_at.isoformat() if review.replied_at else None}


_REVIEW = inline_serializer("Review", {
    "id": serializers.IntegerField(), "order": serializers.IntegerField(), "rating": serializers.IntegerField(),
    "body": serializers.CharField(), "listing": inline_serializer("ReviewedListing", {
        "id": serializers.IntegerField(), "title": serializers.CharField()}),
    "created_at": serializers.DateTimeField(), "reply": serializers.CharField(allow_null=True),
    "replied_at": serializers.DateTimeField(allow_null=True)})


class SellerReviewsApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=inline_serializer("SellerReviews", {
        "average": serializers.CharField(allow_null=True), "count": serializers.IntegerField(),
        "reviews": _REVIEW}), description="A verified seller's average rating, review count and newest 20 reviews.")
    def get(self, request, pk: int):
        from accounts.models import Company

        if not Company.objects.filter(pk=pk, verification=Company.Verification.VERIFIED).exists():
            raise NotFound("No such seller.")
        rating = selectors.seller_rating(pk)
        return Response({"average": None if rating.average is None else str(rating.average), "count": rating.count,
                         "reviews": [_review_json(r) for r in selectors.seller_reviews(pk, limit=20)]})


class OrderReviewApi(APIView):
    class ReviewInputSerializer(serializers.Serializer):
        rating = serializers.IntegerField()
        body = serializers.CharField(max_length=2000, trim_whitespace=False, allow_blank=True)

    @extend_schema(request=ReviewInputSerializer, responses={201: _REVIEW},
                   description="The buyer reviews the seller of a delivered order, once: 409 `not_delivered` "
                               "before delivery, 409 `already_reviewed` for a second review; 404 for another "
                               "buyer's order.")
    @idempotent
    def post(self, request, pk: int):
        from marketplace.services.reviews import review_create

        data = self.ReviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = review_create(buyer=request.user, order_id=pk, rating=data.validated_data["rating"],
                               body=data.validated_data["body"])
        return Response(_review_json(review), status=status.HTTP_201_CREATED)


class ReviewReplyApi(APIView):
    class ReplyInputSerializer(serializers.Serializer):
        reply = serializers.CharField(max_length=2000, trim_whitespace=False, allow_blank=True)

    @extend_schema(request=ReplyInputSerializer, responses={200: _REVIEW},
                   description="The seller's one reply to a review of their company (409 `already_replied`).")
    @idempotent
    def post(self, request, pk: int):
        from marketplace.services.reviews import review_reply

        data = self.ReplyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(_review_json(review_reply(user=request.user, review_id=pk,
                                                  body=data.validated_data["reply"])))
