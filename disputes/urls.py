from django.urls import path

from disputes import views

app_name = "disputes"
urlpatterns = [
    path("", views.dispute_list, name="list"),
    path("orders/<int:order_id>/open/", views.dispute_open, name="open"),
    path("<int:pk>/", views.dispute_detail, name="detail"),
    path("<int:pk>/answer/", views.dispute_answer, name="answer"),
    path("<int:pk>/withdraw/", views.dispute_withdraw, name="withdraw"),
    path("<int:pk>/return-label/", views.return_label, name="return_label"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("staff/", views.queue, name="queue"),
    path("staff/<int:pk>/decide/", views.dispute_decide, name="decide"),
]
