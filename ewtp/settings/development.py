"""A developer's machine (`make run`, `manage.py`): runs with nothing set, on public secrets and DEBUG on."""

from ewtp.settings.base import *  # noqa: F403
from ewtp.settings.base import env

# Public (they are in this repository): production refuses them by name (ewtp/settings/production.py).
DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
DEV_CARRIER_WEBHOOK_SECRET = "dev-carrier-webhook-secret"  # noqa: S105

SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
# Carriers sign the tracking events they push (HMAC-SHA256).
CARRIER_WEBHOOK_SECRET = env.str("CARRIER_WEBHOOK_SECRET", default=DEV_CARRIER_WEBHOOK_SECRET)
# Webhook endpoints on this machine (http://localhost:…) are allowed while DEBUG is on.
WEBHOOK_ALLOW_LOCAL = env.bool("WEBHOOK_ALLOW_LOCAL", default=DEBUG)
