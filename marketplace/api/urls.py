from django.urls import path

from ewtp.two_factor import TokenApi
from marketplace.api import views

urlpatterns = [
    path("auth/signup/", views.SignupApi.as_view(), name="api-signup"),
    path("auth/token/", TokenApi.as_view(), name="api-token"),  # throttled; staff give their TOTP code
    path("catalog/", views.CatalogApi.as_view(), name="api-catalog"),
    path("listings/", views.ListingListCreateApi.as_view(), name="api-listings"),
    path("listings/import/", views.ListingImportApi.as_view(), name="api-listings-import"),
    path("listings/<int:pk>/", views.ListingDetailApi.as_view(), name="api-listing"),
    path("listings/<int:pk>/photos/", views.ListingPhotosApi.as_view(), name="api-listing-photos"),
    path("listings/<int:pk>/origin/", views.ListingOriginApi.as_view(), name="api-listing-origin"),
    path("listings/<int:pk>/photos/<int:photo_pk>/", views.ListingPhotoApi.as_view(), name="api-listing-photo"),
    path("cart/", views.CartApi.as_view(), name="api-cart"),
    path("cart/lines/", views.CartLineAddApi.as_view(), name="api-cart-lines"),
    path("cart/lines/<int:pk>/", views.CartLineApi.as_view(), name="api-cart-line"),
    path("cart/checkout/", views.CartCheckoutApi.as_view(), name="api-cart-checkout"),
    path("checkouts/<str:reference>/", views.CheckoutDetailApi.as_view(), name="api-checkout"),
    path("checkouts/<str:reference>/pay/", views.CheckoutPayApi.as_view(), name="api-checkout-pay"),
    path("rfqs/", views.RfqListCreateApi.as_view(), name="api-rfqs"),
    path("rfqs/<int:pk>/quote/", views.RfqQuoteApi.as_view(), name="api-rfq-quote"),
    path("rfqs/<int:pk>/decline/", views.RfqDeclineApi.as_view(), name="api-rfq-decline"),
    path("rfqs/<int:pk>/accept/", views.RfqAcceptApi.as_view(), name="api-rfq-accept"),
    path("orders/", views.OrderCreateApi.as_view(), name="api-orders"),
    path("orders/<int:pk>/", views.OrderDetailApi.as_view(), name="api-order"),
    path("orders/<int:pk>/book-shipment/", views.OrderBookShipmentApi.as_view(), name="api-order-book"),
    path("orders/<int:pk>/review/", views.OrderReviewApi.as_view(), name="api-order-review"),
    path("reviews/<int:pk>/reply/", views.ReviewReplyApi.as_view(), name="api-review-reply"),
    path("sellers/<int:pk>/reviews/", views.SellerReviewsApi.as_view(), name="api-seller-reviews"),
]
