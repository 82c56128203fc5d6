from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.static import serve
from drf_spectacular.views import SpectacularSwaggerSplitView

from ewtp.api import SchemaApi
from ewtp.health import healthz

api_v1 = [
    path("", include("marketplace.api.urls")),
    path("companies/", include("accounts.api.urls")),
    path("customs/", include("customs.api.urls")),
    path("logistics/", include("logistics.api.urls")),
    path("payments/", include("payments.api.urls")),
    path("privacy/", include("privacy.api.urls")),
    path("finance/", include("finance.api.urls")),
    path("notifications/", include("notifications.api.urls")),
    path("webhooks/", include("webhooks.api.urls")),
    path("disputes/", include("disputes.api.urls")),
    path("conversations/", include("conversations.api.urls")),
]

handler400, handler403 = "ewtp.api.bad_request", "ewtp.api.permission_denied"
handler404, handler500 = "ewtp.api.not_found", "ewtp.api.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Users and companies moved from the marketplace app to accounts (issue 13): old admin links still lead there.
    re_path(r"^admin/marketplace/(?P<rest>(?:user|company|companymember)/.*)$",
            RedirectView.as_view(url="/admin/accounts/%(rest)s", query_string=True, permanent=True)),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SchemaApi.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file, and our template its style as a file:
    # the CSP allows no inline script or style element.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
         name="api-docs"),
    path("accounts/two-factor/", include("ewtp.two_factor")),  # staff roles' second step of signing in
    path("accounts/privacy/", include("privacy.urls")),  # "Your data": export and erasure
    path("accounts/", include("marketplace.account_urls")),
    path("customs/", include("customs.urls")),
    path("logistics/", include("logistics.urls")),
    path("payments/", include("payments.urls")),
    path("finance/", include("finance.urls")),
    path("notifications/", include("notifications.urls")),
    path("duties/", include("duties.urls")),
    path("webhooks/", include("webhooks.urls")),  # the seller's webhook endpoints and delivery log
    path("disputes/", include("disputes.urls")),
    path("messages/", include("conversations.urls")),
    path("", include("marketplace.urls")),
]
# /media/ holds public listing photos only (private files live in another storage, served by views
# that check who asks); in development Django serves them, in production the web server does.
def public_media(request, path: str):
    return serve(request, path, document_root=settings.MEDIA_ROOT)


media_urlpatterns = [re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>listings/.+)$", public_media)]
if settings.DEBUG:
    urlpatterns += media_urlpatterns
