from django.urls import path

from customs.api import views

urlpatterns = [
    path("landed-cost/", views.LandedCostApi.as_view(), name="api-landed-cost"),
    path("hs/", views.HsSearchApi.as_view(), name="api-hs-search"),
    path("hs/<str:code>/", views.HsDetailApi.as_view(), name="api-hs-detail"),
    path("cases/", views.CaseListApi.as_view(), name="api-cases"),
    path("cases/<int:pk>/release/", views.CaseReleaseApi.as_view(), name="api-case-release"),
    path("cases/<int:pk>/reject/", views.CaseRejectApi.as_view(), name="api-case-reject"),
    path("cases/<int:pk>/", views.CaseDetailApi.as_view(), name="api-case-detail"),
    path("cases/<int:pk>/assign/", views.CaseAssignApi.as_view(), name="api-case-assign"),
    path("cases/<int:pk>/notes/", views.CaseNoteApi.as_view(), name="api-case-note"),
    path("cases/<int:pk>/retry/", views.CaseRetryApi.as_view(), name="api-case-retry"),
    path("cases/<int:pk>/document-requests/", views.CaseDocumentRequestApi.as_view(), name="api-case-document-request"),
    path("cases/<int:pk>/documents/", views.CaseDocumentUploadApi.as_view(), name="api-case-document-upload"),
    path("cases/<int:pk>/declaration/h7/", views.CaseDeclarationH7Api.as_view(), name="api-case-declaration-h7"),
    path("cases/<int:pk>/declaration/wco/", views.CaseDeclarationWcoApi.as_view(), name="api-case-declaration-wco"),
    path("declarations/h7/", views.DeclarationsH7Api.as_view(), name="api-declarations-h7"),
    path("declarations/wco/", views.DeclarationsWcoApi.as_view(), name="api-declarations-wco"),
    path("clearance/dashboard/", views.ClearanceDashboardApi.as_view(), name="api-clearance-dashboard"),
]
