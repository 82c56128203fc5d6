from django.urls import path

from customs import views

app_name = "customs"
urlpatterns = [
    path("console/", views.console, name="console"),
    path("console/dashboard/", views.dashboard, name="dashboard"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/decide/", views.case_decide, name="case_decide"),
    path("cases/<int:pk>/documents/", views.document_upload, name="document_upload"),
    path("documents/<int:pk>/", views.document_download, name="document_download"),
    path("my-cases/", views.my_cases, name="my_cases"),
    path("landed-cost/", views.calculator, name="calculator"),
]
