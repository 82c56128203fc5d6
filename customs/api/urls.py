from django.urls import path

from customs.api import views

urlpatterns = [
    path("landed-cost/", views.LandedCostApi.as_view(), name="api-landed-cost"),
    path("hs/", views.HsSearchApi.as_view(), name="api-hs-search"),
    path("hs/<str:code>/", views.HsDetailApi.as_view(), name="api-hs-detail"),
    path("cases/", views.CaseListApi.as_view(), name="api-cases"),
    path("cases/<int:pk>/release/", views.CaseReleaseApi.as_view(), name="api-case-release"),
    path("cases/<int:pk>/reject/", views.CaseRejectApi.as_view(), name="api-case-reject"),
]
