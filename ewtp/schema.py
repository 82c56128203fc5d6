"""The API schema's AutoSchema (settings REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]): its own module, since
drf-spectacular's views import it while ewtp/api.py imports them."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiParameter

from ewtp.idempotency import HEADER as IDEMPOTENCY_HEADER


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's, plus the Idempotency-Key header on the operations that honour it (`@idempotent`)."""

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        handler = getattr(self.view, self.method.lower(), None)
        if getattr(handler, "idempotent", False):
            parameters = [*parameters, OpenApiParameter(
                IDEMPOTENCY_HEADER, str, OpenApiParameter.HEADER, required=False,
                description="Up to 255 characters, new for each new request. The same request sent again with "
                            "the same key gets the first response (header Idempotent-Replayed: true) instead of "
                            "running twice; another request with the key is refused (422), a concurrent one "
                            "too (409). Keys are kept 24 hours.")]
        return parameters
