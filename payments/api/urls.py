from django.urls import path

from payments.api import views

urlpatterns = [
    path("payouts/", views.PayoutListApi.as_view(), name="api-payouts"),
    path("balance/", views.BalanceApi.as_view(), name="api-balance"),
    path("refunds/", views.RefundListApi.as_view(), name="api-refunds"),
]
