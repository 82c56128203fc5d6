"""Settings every environment shares, read from the environment (12-factor).

Which module to load is DJANGO_SETTINGS_MODULE's choice (see ewtp/settings/__init__.py): this one sets no
secret, no DEBUG and no ALLOWED_HOSTS; development, production and test each set those their own way.
With nothing else set: SQLite and a filesystem Celery broker under var/, the sandbox payment provider,
the simulated carrier and customs authority.
"""

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from ewtp.settings.object_storage import media_origin, object_storages

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
VAR_DIR = Path(env.str("EWTP_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served by us, not a CDN
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "ewtp",
    "accounts",
    "customs",
    "logistics",
    "payments",
    "marketplace",
    "privacy",  # personal-data rights: export and erasure (it may import every app; none imports it)
    "finance",
    "notifications",  # inbox and emails of what happened; it follows the other apps' signals, none imports it
    "duties",  # duty settlement: the authority's assessment, payments to authorities, VAT at sale (issue 14)
    "webhooks",  # outgoing webhooks to sellers' endpoints (it may import every app; none imports it)
    "disputes",  # buyers' disputes and returns inside the escrow window (on top: no app imports it)
    "conversations",  # buyer-seller messages per order and RFQ (it imports marketplace; none imports it)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "ewtp.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "ewtp.middleware.RefuseNulMiddleware",  # PostgreSQL text cannot hold NUL: a 400, not a 500
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ewtp.log_redaction.PersonInLogsMiddleware",  # the log filter redacts the signed-in user's name and address
    "django_otp.middleware.OTPMiddleware",
    "ewtp.middleware.TwoFactorRequiredMiddleware",  # staff roles: no page before the second factor
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out sign-in into a 429
]

ROOT_URLCONF = "ewtp.urls"
WSGI_APPLICATION = "ewtp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "marketplace.context_processors.buyer_context",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, worker and beat share one SQLite file: WAL lets readers run beside a
    # writer, IMMEDIATE transactions take the write lock up front instead of failing midway.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a sign-in while its username and address are locked out.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "marketplace:catalog"
LOGOUT_REDIRECT_URL = "marketplace:catalog"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"  # filled by collectstatic in production
STATIC_ROOT.mkdir(exist_ok=True)
# WhiteNoise serves straight from the source folders (no collectstatic needed); production collects them.
WHITENOISE_USE_FINDERS = True
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))  # public: listing photos only
# Private files (customs documents, business licences, shipment papers): not under MEDIA_URL, served
# only by views that check who asks (ewtp/files.py). Swap the "private" backend for a private bucket.
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))
PRIVATE_STORAGE = "private"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "ewtp.files.PrivateFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Object storage (AWS S3 or any S3-compatible server: MinIO, Ceph, R2, ...), so that every web node serves the
# same photos and papers: S3_BUCKET holds the public photos (its policy lets anyone read), S3_PRIVATE_BUCKET
# the private files, which a checked view hands out as a signed URL that expires after PRIVATE_URL_SECONDS.
# Credentials come from boto3's own chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, an instance role, ...).
S3_BUCKET = env.str("S3_BUCKET", default="")
S3_PRIVATE_BUCKET = env.str("S3_PRIVATE_BUCKET", default="")
S3_ENDPOINT_URL = env.str("S3_ENDPOINT_URL", default="")  # "" for AWS itself; e.g. http://minio:9000
S3_REGION = env.str("S3_REGION", default="eu-central-1")
S3_PUBLIC_URL = env.str("S3_PUBLIC_URL", default="")  # a CDN or custom domain in front of S3_BUCKET, if any
PRIVATE_URL_SECONDS = env.int("PRIVATE_URL_SECONDS", default=300)
if bool(S3_BUCKET) != bool(S3_PRIVATE_BUCKET):
    raise ImproperlyConfigured("Set both S3_BUCKET and S3_PRIVATE_BUCKET (public and private files), or neither.")
if S3_BUCKET:
    STORAGES.update(object_storages(bucket=S3_BUCKET, private_bucket=S3_PRIVATE_BUCKET, endpoint_url=S3_ENDPOINT_URL,
                                    region=S3_REGION, public_url=S3_PUBLIC_URL, private_url_seconds=PRIVATE_URL_SECONDS))
# Pages show photos from the bucket (or the CDN in front of it).
MEDIA_ORIGINS = [media_origin(bucket=S3_BUCKET, endpoint_url=S3_ENDPOINT_URL, public_url=S3_PUBLIC_URL)] if S3_BUCKET else []

# Email (notifications/): the console by default; SMTP with EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend
# and EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS; files in EMAIL_FILE_PATH with
# ...filebased.EmailBackend. Or an email service's API through django-anymail: ANYMAIL_ESP names it (mailgun,
# sendgrid, postmark, brevo, amazon_ses, resend, ...: the backend anymail.backends.<esp>.EmailBackend) and every
# ANYMAIL_<NAME> variable becomes ANYMAIL["<NAME>"], e.g. ANYMAIL_MAILGUN_API_KEY and ANYMAIL_MAILGUN_SENDER_DOMAIN,
# ANYMAIL_SENDGRID_API_KEY, ANYMAIL_POSTMARK_SERVER_TOKEN, ANYMAIL_BREVO_API_KEY (anymail's docs name each ESP's).
ANYMAIL_ESP = env.str("ANYMAIL_ESP", default="")
ANYMAIL = {name.removeprefix("ANYMAIL_"): value for name, value in os.environ.items()
           if name.startswith("ANYMAIL_") and name != "ANYMAIL_ESP"}
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default=f"anymail.backends.{ANYMAIL_ESP}.EmailBackend" if ANYMAIL_ESP
                        else "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="eWTP Marketplace <no-reply@ewtp.example>")
# Where links in emails lead (the site's address as users reach it); production defaults to https://<first host>.
SITE_URL = env.str("SITE_URL", default="http://localhost:8000")

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"].endswith("LocMemCache"):
    # The catalog caches a landed cost per listing and destination: Django's default of 300 entries
    # would recompute them on every page of a real catalog.
    CACHES["default"].setdefault("OPTIONS", {})["MAX_ENTRIES"] = 50_000

# --- API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "ewtp.schema.AutoSchema",  # with the Idempotency-Key header
    "EXCEPTION_HANDLER": "ewtp.api.exception_handler",
    # DRF's own parsers read past DATA_UPLOAD_MAX_MEMORY_SIZE, recurse without limit and let NUL through
    "DEFAULT_PARSER_CLASSES": ["ewtp.parsers.JSONParser", "ewtp.parsers.FormParser", "ewtp.parsers.MultiPartParser"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 24,
    "DEFAULT_THROTTLE_RATES": {"anon": env.str("ANON_THROTTLE_RATE", default="120/minute")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "eWTP Marketplace API",
    "DESCRIPTION": "Cross-border trade for SMEs: listings, landed-cost quotes, orders, payments, "
    "logistics and customs clearance. Money is {\"amount\": \"12.50\", \"currency\": \"EUR\"}; "
    "errors are {\"error\": {\"code\", \"message\", \"field\"}}.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {"IncotermEnum": ["DDP", "DAP"], "WebhookDeliveryStatusEnum": "webhooks.models.Delivery.Status"},
}

# --- Celery -------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=env.str("REDIS_URL", default="filesystem://"))
CELERY_BROKER_FOLDER = VAR_DIR / "celery-broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control", "bad"):
        (CELERY_BROKER_FOLDER / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER / "queue"),
        "data_folder_out": str(CELERY_BROKER_FOLDER / "queue"),
        "processed_folder": str(CELERY_BROKER_FOLDER / "processed"),
        "bad_folder": str(CELERY_BROKER_FOLDER / "bad"),
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),  # else kombu writes ./control
        "store_processed": False,
        "polling_interval": 0.1,  # the default (1 s) delivers one message a second: too slow for a demo
    }
else:
    # Longer than any countdown we use: Redis redelivers unacked tasks after this.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="ewtp")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# How often beat re-drives the slow steps (tracking polls, stuck cases); tests shorten it.
BEAT_INTERVAL_SECONDS = env.float("BEAT_INTERVAL_SECONDS", default=10.0)
# Where payments.tasks.fx_refresh fetches the ECB's daily reference rates, and how often ("": offline, the
# shipped files that load_reference_data loads); production fetches the ECB's own file.
FX_SOURCE_URL = env.str("FX_SOURCE_URL", default="")
FX_FETCH_INTERVAL_SECONDS = env.float("FX_FETCH_INTERVAL_SECONDS", default=6 * 3600)
CELERY_BEAT_SCHEDULE = {
    "logistics-poll-tracking": {"task": "logistics.tasks.tracking_poll_all", "schedule": BEAT_INTERVAL_SECONDS},
    "customs-redrive-stuck-cases": {"task": "customs.tasks.clearance_redrive", "schedule": BEAT_INTERVAL_SECONDS * 6},
    "customs-reconcile-authority": {"task": "customs.tasks.clearance_reconcile", "schedule": BEAT_INTERVAL_SECONDS * 6},
    "customs-escalate-holds": {"task": "customs.tasks.clearance_escalate", "schedule": 300.0},
    "marketplace-release-escrow": {"task": "marketplace.tasks.escrow_release_due", "schedule": BEAT_INTERVAL_SECONDS},
    # The ECB publishes once a working day, about 16:00 CET; four tries a day mend a missed fetch the same day.
    "payments-refresh-fx": {"task": "payments.tasks.fx_refresh", "schedule": FX_FETCH_INTERVAL_SECONDS},
    # Erased users' records whose retention period is over are anonymised in full (see PRIVACY_* below).
    "privacy-purge-after-retention": {"task": "privacy.tasks.erasure_purge_due", "schedule": 6 * 3600.0},
    "finance-mark-overdue": {"task": "finance.tasks.advances_mark_overdue", "schedule": BEAT_INTERVAL_SECONDS * 6},
    # Emails still pending five minutes after their notification (a lost message) are enqueued again.
    "notifications-redrive-emails": {"task": "notifications.tasks.notification_emails_redrive", "schedule": 300.0},
    # Pay each customs authority, per currency, the duties and taxes it assessed on the shipments it released.
    "duties-settle": {"task": "duties.tasks.duties_settle", "schedule": BEAT_INTERVAL_SECONDS * 6},
    # Webhook deliveries whose next attempt is due (the long waits of the retry schedule, lost workers).
    "webhooks-deliver-due": {"task": "webhooks.tasks.deliveries_due", "schedule": BEAT_INTERVAL_SECONDS * 3},
    # API Idempotency-Keys older than IDEMPOTENCY_KEY_TTL_HOURS are forgotten.
    "api-purge-idempotency-keys": {"task": "ewtp.tasks.idempotency_keys_purge", "schedule": 3600.0},
}

# --- Outgoing webhooks (webhooks/) ----------------------------------------------------------
# Seconds to wait after each failed attempt before the next; after the last, the delivery fails. The
# default doubles from 1 minute to 2048 minutes: 13 attempts over 2.8 days, like Stripe's three days.
WEBHOOK_RETRY_SCHEDULE = [float(s) for s in env.list("WEBHOOK_RETRY_SCHEDULE", default=[
    str(60 * 2**n) for n in range(12)])]
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
# http:// URLs and private/loopback addresses (SSRF): refused unless this is on (DEBUG and tests).
WEBHOOK_ALLOW_LOCAL = env.bool("WEBHOOK_ALLOW_LOCAL", default=False)  # development.py: DEBUG
# After a secret is rotated the old one keeps signing beside the new one for this long.
WEBHOOK_SECRET_GRACE_HOURS = env.float("WEBHOOK_SECRET_GRACE_HOURS", default=24.0)
# How long the API remembers an Idempotency-Key and the response it gave (ewtp/idempotency.py).
IDEMPOTENCY_KEY_TTL_HOURS = env.float("IDEMPOTENCY_KEY_TTL_HOURS", default=24.0)

# --- Domain knobs --------------------------------------------------------------------------
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
# Stripe once its key is set, else the sandbox (which takes no money: production must ask for it by name).
PAYMENT_PROVIDER = env.str("PAYMENT_PROVIDER", default="") or ("stripe" if STRIPE_SECRET_KEY else "sandbox")
if PAYMENT_PROVIDER not in ("stripe", "sandbox"):
    raise ImproperlyConfigured(f"PAYMENT_PROVIDER must be stripe or sandbox, not {PAYMENT_PROVIDER!r}")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")  # Stripe.js's Payment Element
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")  # e.g. a localstripe server in tests
PLATFORM_FEE_PERCENT = Decimal(env.str("PLATFORM_FEE_PERCENT", default="3.0"))
# The carrier behind every shipment: "simulated" (offline, the built-in rate tables) or a dotted class path.
CARRIER_ADAPTER = env.str("CARRIER_ADAPTER", default="simulated")
# Simulated carrier: seconds between tracking steps (minutes in a demo, fractions in tests).
CARRIER_SIM_SECONDS_PER_STEP = env.float("CARRIER_SIM_SECONDS_PER_STEP", default=30.0)
# Real carriers through karrio (CARRIER_ADAPTER=logistics.integrations.karrio_carrier.KarrioCarrier): a carrier is
# connected when all its credentials are set; its services (carriers.json "karrio") then book with it, the rest
# with CARRIER_FALLBACK ("simulated", or "" to refuse them). <CARRIER>_BASE_URL overrides the API's address (a
# proxy, or a fake server in tests); CARRIER_SANDBOX=true uses each carrier's test environment.
CARRIER_CONNECTIONS = {
    "ups": {"client_id": env.str("UPS_CLIENT_ID", default=""), "client_secret": env.str("UPS_CLIENT_SECRET", default=""),
            "account_number": env.str("UPS_ACCOUNT_NUMBER", default=""), "base_url": env.str("UPS_BASE_URL", default="")},
    "fedex": {"api_key": env.str("FEDEX_API_KEY", default=""), "secret_key": env.str("FEDEX_SECRET_KEY", default=""),
              "account_number": env.str("FEDEX_ACCOUNT_NUMBER", default=""),
              "base_url": env.str("FEDEX_BASE_URL", default="")},
    "mydhl": {"username": env.str("DHL_EXPRESS_USERNAME", default=""),
              "password": env.str("DHL_EXPRESS_PASSWORD", default=""),
              "account_number": env.str("DHL_EXPRESS_ACCOUNT_NUMBER", default=""),
              "base_url": env.str("DHL_EXPRESS_BASE_URL", default="")},
}
CARRIER_SANDBOX = env.bool("CARRIER_SANDBOX", default=False)
CARRIER_FALLBACK = env.str("CARRIER_FALLBACK", default="simulated")
CARRIER_HTTP_TIMEOUT_SECONDS = env.float("CARRIER_HTTP_TIMEOUT_SECONDS", default=20.0)
# Clearance: a consignment above this customs value (EUR equivalent) waits for an officer.
CLEARANCE_HIGH_VALUE_EUR = Decimal(env.str("CLEARANCE_HIGH_VALUE_EUR", default="1000"))
SCREENING_THRESHOLD = env.float("SCREENING_THRESHOLD", default=88.0)
# How soon a worker sees a denied-party list that another process loaded (load_screening_lists).
SCREENING_LIST_RECHECK_SECONDS = env.float("SCREENING_LIST_RECHECK_SECONDS", default=10.0)
# The customs authority behind clearance: "simulated" answers after a delay (see customs/integrations/authority.py).
CUSTOMS_AUTHORITY = env.str("CUSTOMS_AUTHORITY", default="simulated")
CUSTOMS_AUTHORITY_DELAY_SECONDS = env.float("CUSTOMS_AUTHORITY_DELAY_SECONDS", default=3.0)
CUSTOMS_AUTHORITY_TIMEOUT_SECONDS = env.int("CUSTOMS_AUTHORITY_TIMEOUT_SECONDS", default=6 * 3600)
# CUSTOMS_AUTHORITY=http (customs/integrations/authority_http.py) lodges each declaration in its standard data set
# (H7 or the WCO Data Model) at CUSTOMS_AUTHORITY_URL, as json or xml, with the bearer token, and polls the decision.
CUSTOMS_AUTHORITY_URL = env.str("CUSTOMS_AUTHORITY_URL", default="")
CUSTOMS_AUTHORITY_TOKEN = env.str("CUSTOMS_AUTHORITY_TOKEN", default="")
CUSTOMS_AUTHORITY_FORMAT = env.str("CUSTOMS_AUTHORITY_FORMAT", default="json")
CUSTOMS_AUTHORITY_HTTP_TIMEOUT_SECONDS = env.float("CUSTOMS_AUTHORITY_HTTP_TIMEOUT_SECONDS", default=20.0)
CUSTOMS_AUTHORITY_POLL_SECONDS = env.float("CUSTOMS_AUTHORITY_POLL_SECONDS", default=60.0)
# The platform's IOSS VAT identification number ("IM" + 10 digits), declared on DDP consignments to the EU.
CUSTOMS_IOSS_NUMBER = env.str("CUSTOMS_IOSS_NUMBER", default="")
# The platform's UK VAT registration number, on tax invoices of VAT charged at the sale of goods up to GBP 135.
UK_VAT_NUMBER = env.str("UK_VAT_NUMBER", default="")
# Who pays when the authority assesses more duty and tax than the buyer paid under DDP: "platform" (it absorbs
# the shortfall as an expense, duty_shortfall_absorbed) or "seller" (taken from the order's escrow before the
# seller is paid; the platform pays when the seller was paid already). An over-collection is refunded to the buyer.
DUTY_SHORTFALL_POLICY = env.str("DUTY_SHORTFALL_POLICY", default="platform")
if DUTY_SHORTFALL_POLICY not in ("platform", "seller"):
    raise ImproperlyConfigured(f"DUTY_SHORTFALL_POLICY must be platform or seller, not {DUTY_SHORTFALL_POLICY!r}")
CLEARANCE_HOLD_SLA_HOURS = env.float("CLEARANCE_HOLD_SLA_HOURS", default=24.0)
CLEARANCE_STUCK_AFTER_SECONDS = env.int("CLEARANCE_STUCK_AFTER_SECONDS", default=120)
CLEARANCE_FOUR_EYES_EUR = Decimal(env.str("CLEARANCE_FOUR_EYES_EUR", default="2000"))  # rejections above need two officers
CLEARANCE_NEW_SELLER_REVIEW_EUR = Decimal(env.str("CLEARANCE_NEW_SELLER_REVIEW_EUR", default="500"))
CLEARANCE_UNDERVALUE_RATIO = Decimal(env.str("CLEARANCE_UNDERVALUE_RATIO", default="0.5"))
CLEARANCE_UNDERVALUE_MIN_HISTORY = env.int("CLEARANCE_UNDERVALUE_MIN_HISTORY", default=3)
CLEARANCE_DUTY_TOLERANCE_PERCENT = Decimal(env.str("CLEARANCE_DUTY_TOLERANCE_PERCENT", default="5"))
CLEARANCE_DUTY_TOLERANCE_MIN_EUR = Decimal(env.str("CLEARANCE_DUTY_TOLERANCE_MIN_EUR", default="2"))
CLEARANCE_DOCUMENT_MAX_BYTES = env.int("CLEARANCE_DOCUMENT_MAX_BYTES", default=5 * 1024 * 1024)
QUOTE_VALIDITY_MINUTES = env.int("QUOTE_VALIDITY_MINUTES", default=30)
FX_REFRESH_SECONDS = env.int("FX_REFRESH_SECONDS", default=60)  # how soon every process sees newly loaded rates
# No price is quoted on rates more than this many days older than the day quoted (0: no limit).
FX_MAX_AGE_DAYS = env.int("FX_MAX_AGE_DAYS", default=0)
# Escrow is released to the seller this long after delivery (the buyer's window to dispute).
ESCROW_DISPUTE_WINDOW_SECONDS = env.int("ESCROW_DISPUTE_WINDOW_SECONDS", default=3 * 24 * 3600)
# Trade finance: how long an advance offer may be accepted (its rates and limits are in finance/domain/advances.py).
FINANCE_OFFER_VALIDITY_MINUTES = env.int("FINANCE_OFFER_VALIDITY_MINUTES", default=15)
# Disputes: how long the seller has to answer before staff may decide without them; the evidence each side may attach.
DISPUTE_SELLER_ANSWER_HOURS = env.float("DISPUTE_SELLER_ANSWER_HOURS", default=72)
DISPUTE_EVIDENCE_MAX_BYTES = env.int("DISPUTE_EVIDENCE_MAX_BYTES", default=5 * 1024 * 1024)
DISPUTE_EVIDENCE_MAX_FILES = env.int("DISPUTE_EVIDENCE_MAX_FILES", default=5)

# Every handler carries the personal-data filter (ewtp/log_redaction.py): emails, phone numbers, tax ids,
# addresses and the signed-in user's name never reach a log. Django's own loggers ("django", "django.server")
# are named here so that the handlers Django gives them by default (without the filter) are replaced and
# their records go to ours; Celery's worker handlers get the filter in ewtp/celery.py.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_personal_data": {"()": "ewtp.log_redaction.RedactPersonalData"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_personal_data"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": [], "propagate": True},
        # stripe logs every request at INFO, axes every sign-in
        "stripe": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# --- Personal-data rights (privacy/) -------------------------------------------------------------
# After an erasure (GDPR art. 17, PIPL art. 47) the records the law makes us keep stay, with the person's
# name and address, for these periods counted from the erasure; then the beat task privacy.tasks.erasure_purge_due
# anonymises them too (GDPR art. 17(3)(b), PIPL art. 47(2)/19: kept only as long as a law requires).
# Customs records (declarations, clearance cases, shipments and their papers): Union Customs Code,
# Regulation (EU) 952/2013, art. 51(1): "at least three years"; China: Customs Law art. 45 and the Regulations on
# Customs Inspection (海关稽查条例) art. 5 — records of imports and exports kept three years after release.
# Default: 3 years.
PRIVACY_CUSTOMS_RETENTION_DAYS = env.int("PRIVACY_CUSTOMS_RETENTION_DAYS", default=3 * 366)
# Accounting records (orders as invoices, payments, refunds; the ledger holds no personal data): EU VAT
# Directive 2006/112/EC art. 247 lets each member state set the period for invoices; Germany's
# Abgabenordnung §147(3) and Handelsgesetzbuch §257(4) ask 10 years, France's Code de commerce L123-22
# 10 years; China's Accounting Archives Management Measures (2015) art. 14 ask 30 years for vouchers and
# books — a Chinese operator sets 30 * 366. Default: the longest EU period, 10 years.
PRIVACY_ACCOUNTING_RETENTION_DAYS = env.int("PRIVACY_ACCOUNTING_RETENTION_DAYS", default=10 * 366)
# A data export is built while the user waits; the uploaded files in it stop at this many bytes in all
# (the rest are listed in the archive with the page that serves them).
PRIVACY_EXPORT_MAX_FILE_BYTES = env.int("PRIVACY_EXPORT_MAX_FILE_BYTES", default=50 * 1024 * 1024)

# --- Security headers, sign-in throttling, two-factor sign-in -------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True  # X-Content-Type-Options: nosniff
SECURE_REFERRER_POLICY = "same-origin"  # other sites never see our paths (order and case references)
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # for browsers without CSP's frame-ancestors
# Every asset is served by the app itself: no inline script, style element or style attribute, no eval.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *MEDIA_ORIGINS],  # data: for the icons in Swagger UI's style sheet
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
# Stripe, on the pages that use it only, when Stripe is the payment's provider (the views replace these
# directives in their response's policy). The pay page loads Stripe.js from js.stripe.com, as Stripe
# requires; its Payment Element runs in Stripe's frames and calls Stripe's API. The seller dashboard's
# onboarding button posts to us and is redirected to Stripe's hosted onboarding, which form-action governs.
_STRIPE_JS = ["https://js.stripe.com", "https://*.js.stripe.com"]
CSP_STRIPE_PAY_PAGE = {"script-src": [SELF, *_STRIPE_JS], "connect-src": [SELF, "https://api.stripe.com"],
                       "frame-src": [*_STRIPE_JS, "https://hooks.stripe.com"]}
CSP_STRIPE_ONBOARDING = {"form-action": [SELF, "https://connect.stripe.com"]}
# ewtp.middleware.PermissionsPolicyMiddleware: browser features no page uses stay off; on Stripe's pay page its
# frames may ask for the Payment Request API (Apple Pay, Google Pay).
_NO_FEATURES = ["accelerometer=()", "camera=()", "geolocation=()", "gyroscope=()", "magnetometer=()",
                "microphone=()", "usb=()"]
PERMISSIONS_POLICY = ", ".join([*_NO_FEATURES, "payment=()"])
PERMISSIONS_POLICY_STRIPE_PAY_PAGE = ", ".join([*_NO_FEATURES, 'payment=(self "https://js.stripe.com")'])

# django-axes: after LOGIN_FAILURE_LIMIT failed sign-ins for one username from one address, the login
# page and the API token endpoint answer 429 for LOGIN_LOCKOUT_MINUTES; a successful sign-in resets it.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_USERNAME_FORM_FIELD = "username"  # the login form's and token endpoint's field (it holds the email)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # a stranger cannot lock a user out from elsewhere
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # failures are what it needs; a row per successful sign-in is personal data
AXES_LOCKOUT_CALLABLE = "ewtp.two_factor.locked_out"
AXES_USERNAME_CALLABLE = "ewtp.two_factor.axes_username"  # cut to the length its table holds
AXES_VERBOSE = False  # else it prints its configuration at every start of every command
# django-otp: a TOTP code (RFC 6238, any authenticator app) after the password, for staff roles.
OTP_TOTP_ISSUER = "eWTP Marketplace"
