from django.urls import path

from customs import views

app_name = "customs"
urlpatterns = [
    path("console/", views.console, name="console"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/decide/", views.case_decide, name="case_decide"),
    path("landed-cost/", views.calculator, name="calculator"),
]
