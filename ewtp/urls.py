from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from ewtp.health import healthz

api_v1 = [
    path("", include("marketplace.api.urls")),
    path("customs/", include("customs.api.urls")),
    path("logistics/", include("logistics.api.urls")),
    path("payments/", include("payments.api.urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("accounts/", include("marketplace.account_urls")),
    path("customs/", include("customs.urls")),
    path("logistics/", include("logistics.urls")),
    path("payments/", include("payments.urls")),
    path("", include("marketplace.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
