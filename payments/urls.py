from django.urls import path

from payments import views

app_name = "payments"
urlpatterns = [
    path("webhooks/stripe/", views.stripe_webhook, name="stripe_webhook"),
    path("ledger/", views.ledger, name="ledger"),
    path("staff/", views.payment_list, name="payment_list"),
    path("staff/<int:pk>/", views.payment_detail, name="payment_detail"),
    path("staff/refunds/", views.refund_list, name="refund_list"),
    path("staff/payouts/", views.payout_list, name="payout_list"),
    path("onboarding/", views.seller_onboarding, name="seller_onboarding"),
    path("onboarding/return/", views.seller_onboarding_return, name="seller_onboarding_return"),
]
