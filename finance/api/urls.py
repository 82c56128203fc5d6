from django.urls import path

from finance.api import views

urlpatterns = [
    path("limit/", views.LimitApi.as_view(), name="api-finance-limit"),
    path("offers/", views.OfferCreateApi.as_view(), name="api-finance-offers"),
    path("offers/<int:pk>/", views.OfferDetailApi.as_view(), name="api-finance-offer"),
    path("offers/<int:pk>/accept/", views.OfferAcceptApi.as_view(), name="api-finance-offer-accept"),
    path("advances/", views.AdvanceListApi.as_view(), name="api-finance-advances"),
    path("advances/<int:pk>/", views.AdvanceDetailApi.as_view(), name="api-finance-advance"),
    path("exposure/", views.ExposureApi.as_view(), name="api-finance-exposure"),
]
