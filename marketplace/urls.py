from django.urls import path

from marketplace import views

app_name = "marketplace"
urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("listings/<int:pk>/", views.listing_detail, name="listing_detail"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("checkout/<str:reference>/", views.checkout, name="checkout"),
    path("checkout/<str:reference>/authenticate/", views.checkout_authenticate, name="checkout_authenticate"),
    path("orders/<int:pk>/book/", views.order_book, name="order_book"),
    path("orders/<int:pk>/cancel/", views.order_cancel, name="order_cancel"),
    path("cart/", views.cart, name="cart"),
    path("cart/add/<int:pk>/", views.cart_add, name="cart_add"),
    path("cart/lines/<int:pk>/", views.cart_line, name="cart_line"),
    path("listings/<int:pk>/rfq/", views.rfq_create, name="rfq_create"),
    path("quotations/", views.rfq_list, name="rfq_list"),
    path("sell/rfqs/<int:pk>/", views.rfq_answer, name="rfq_answer"),
    path("orders/<int:pk>/review/", views.order_review, name="order_review"),
    path("reviews/<int:pk>/reply/", views.review_reply_view, name="review_reply"),
    path("sellers/<int:pk>/", views.seller_page, name="seller_page"),
    path("sell/", views.seller_dashboard, name="seller_dashboard"),
    path("sell/company/", views.company_create, name="company_create"),
    path("companies/<int:pk>/licence/", views.company_licence, name="company_licence"),
    path("staff/companies/", views.company_review_list, name="company_review_list"),
    path("staff/companies/<int:pk>/", views.company_review, name="company_review"),
    path("staff/compliance/", views.compliance_hold_list, name="compliance_hold_list"),
    path("staff/compliance/<int:pk>/", views.compliance_hold_detail, name="compliance_hold_detail"),
    path("sell/listings/new/", views.listing_create, name="listing_create"),
    path("sell/listings/import/", views.listing_import, name="listing_import"),
    path("sell/listings/import/template.<str:kind>", views.listing_import_template, name="listing_import_template"),
    path("sell/listings/<int:pk>/", views.listing_edit, name="listing_edit"),
    path("sell/listings/<int:pk>/origin/", views.listing_origin, name="listing_origin"),
    path("sell/listings/<int:pk>/photos/<int:photo_pk>/delete/", views.listing_photo_delete,
         name="listing_photo_delete"),
]
