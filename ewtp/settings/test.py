"""pytest's settings (pyproject.toml): secrets made afresh for each run, fast password hashing.

The secrets go into the environment so that the worker processes the tests start (which inherit it)
sign and check with the same ones.
"""

import os
import secrets

from ewtp.settings.base import *  # noqa: F403
from ewtp.settings.base import env

for _name, _length in (("SECRET_KEY", 50), ("CARRIER_WEBHOOK_SECRET", 32)):
    os.environ.setdefault(_name, secrets.token_urlsafe(_length))
SECRET_KEY = env.str("SECRET_KEY")
CARRIER_WEBHOOK_SECRET = env.str("CARRIER_WEBHOOK_SECRET")
DEBUG = False
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]
# Real password hashing costs half a second per user on this machine; tests make hundreds.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests load and roll back denied-party lists one after the other: check the version on every screening.
SCREENING_LIST_RECHECK_SECONDS = 0
# Tests post webhooks to receivers on 127.0.0.1 (the SSRF tests turn this off), and retry at once.
WEBHOOK_ALLOW_LOCAL = True
WEBHOOK_RETRY_SCHEDULE = [0.0, 0.0, 0.0]
WEBHOOK_TIMEOUT_SECONDS = 3.0
