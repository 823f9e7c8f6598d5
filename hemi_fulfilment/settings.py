"""Django settings, read only from the environment (see ``.env.example``).

The defaults run the demo anywhere with nothing but Python: a SQLite file, a file
cache shared by all processes and a filesystem Celery broker, all under ``VAR_DIR``.
CI and production set ``DATABASE_URL``, ``CACHE_URL`` and ``CELERY_BROKER_URL`` to
PostgreSQL and Redis; the code is the same.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

from hemi_fulfilment.env import NOT_SET, ConfigurationError, Settings

BASE_DIR = Path(__file__).resolve().parent.parent
env = Settings()
if (BASE_DIR / ".env").is_file() and not env.flag("IGNORE_DOTENV", default=False):
    import environ

    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

VAR_DIR = Path(env.text("VAR_DIR", default=str(BASE_DIR / "var")))

# --- Core ---------------------------------------------------------------------------
DEBUG = env.flag("DEBUG", default=False)
_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"
SECRET_KEY = env.text(
    "SECRET_KEY",
    default=_DEV_SECRET_KEY if DEBUG else NOT_SET,
    expects="a long random string (required when DEBUG is off)",
)
if not SECRET_KEY:
    raise ConfigurationError("SECRET_KEY is not set: expected a long random string.")
ALLOWED_HOSTS = env.items("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.items("CSRF_TRUSTED_ORIGINS")
TIME_ZONE = env.text("TIME_ZONE", default="UTC", expects="an IANA time zone name")
USE_TZ = True
USE_I18N = True
LANGUAGE_CODE = "en-gb"
# One date format everywhere (ISO, seconds where order matters): hemi_fulfilment/formats.
FORMAT_MODULE_PATH = ["hemi_fulfilment.formats"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_celery_beat",
    "hemi_fulfilment.apilog",
    "hemi_fulfilment.catalog",
    "hemi_fulfilment.orders",
    "oc_integration",
    "ebay_orders",
    "hemi_fulfilment.operations",
    "hemi_fulfilment",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "hemi_fulfilment.urls"
WSGI_APPLICATION = "hemi_fulfilment.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database and cache -------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'hemi.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: wait for a writer instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20})
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.integer("DB_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

CACHES = {"default": env.cache("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}")}

# --- Static files -------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.text("STATIC_ROOT", default=str(VAR_DIR / "static")))

# --- Auth ---------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Security (production mode: DEBUG off) ------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.flag("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# Own names: another app on the same host using Django's defaults cannot overwrite them
# (and log the admin out mid-authorization).
SESSION_COOKIE_NAME = "hemi_fulfilment_sessionid"
CSRF_COOKIE_NAME = "hemi_fulfilment_csrftoken"
SECURE_HSTS_SECONDS = env.integer(
    "SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000, minimum=0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.flag("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD or DEBUG else ["security.W021"]

# --- Encryption at rest -------------------------------------------------------------
# Fernet keys, newest first; older keys only decrypt (rotation: `manage.py rotate_secrets`).
FIELD_ENCRYPTION_KEYS = env.items("FIELD_ENCRYPTION_KEYS")
if not FIELD_ENCRYPTION_KEYS:
    if not DEBUG:
        raise ConfigurationError(
            "FIELD_ENCRYPTION_KEYS is not set: expected one or more Fernet keys, newest first "
            "(generate one with `make key`)."
        )
    # Development only: a key derived from the development SECRET_KEY.
    FIELD_ENCRYPTION_KEYS = [
        base64.urlsafe_b64encode(hashlib.sha256(SECRET_KEY.encode()).digest()).decode()
    ]

# --- Email and alerts ---------------------------------------------------------------
globals().update(env.email("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.text("DEFAULT_FROM_EMAIL", default="hemi-fulfilment@localhost")
SERVER_EMAIL = env.text("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
ADMINS = env.people("ADMINS")
EMAIL_SUBJECT_PREFIX = "[Hemi Fulfilment] "

# --- Celery -------------------------------------------------------------------------
CELERY_BROKER_URL: str = env.url(
    "CELERY_BROKER_URL",
    default="filesystem://",
    schemes=("filesystem", "redis", "rediss", "amqp", "amqps", "memory"),
)
CELERY_RESULT_BACKEND = env.text("CELERY_RESULT_BACKEND", default=None) or None
CELERY_BROKER_FOLDER = VAR_DIR / "broker"
# Reliability defaults. Tasks acknowledge *before* running (at most once) unless
# they are idempotent and say so with acks_late=True; the hard time limit stays
# well below the broker's visibility timeout, so a slow task is never handed to a
# second worker while the first still runs it.
CELERY_TASK_ACKS_LATE = False
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # only affects acks_late tasks
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # one long sync must not hold back queued short ones
CELERY_TASK_SOFT_TIME_LIMIT = env.integer("CELERY_TASK_SOFT_TIME_LIMIT", default=25 * 60, minimum=1)
CELERY_TASK_TIME_LIMIT = env.integer("CELERY_TASK_TIME_LIMIT", default=30 * 60, minimum=1)
CELERY_VISIBILITY_TIMEOUT = env.integer("CELERY_VISIBILITY_TIMEOUT", default=2 * 60 * 60, minimum=1)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = env.flag("CELERY_TASK_ALWAYS_EAGER", default=False)
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER / "queue"),
        "data_folder_out": str(CELERY_BROKER_FOLDER / "queue"),
        "processed_folder": str(CELERY_BROKER_FOLDER / "processed"),
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}

# --- Logging ------------------------------------------------------------------------
LOG_LEVEL = env.text("LOG_LEVEL", default="INFO", expects="a logging level such as INFO or DEBUG")
# Error reports (debug page, emails to ADMINS) hide OAuth codes in query strings too.
DEFAULT_EXCEPTION_REPORTER = "hemi_fulfilment.error_reports.RedactingExceptionReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "hemi_fulfilment.error_reports.RedactingExceptionReporterFilter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["oauth_callback_query"],
        },
        # runserver's access log, as Django's default, minus OAuth callback queries.
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["oauth_callback_query"],
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "filters": {
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        # An OAuth callback's query holds the authorization code and state.
        "oauth_callback_query": {"()": "hemi_fulfilment.access_log.OAuthCallbackQueryFilter"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {"handlers": ["console", "mail_admins"], "level": "ERROR"},
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["oauth_callback_query"],
        },
    },
}

# --- This installation and the sandboxes ------------------------------------------------
# The address staff reach this installation at (OAuth redirect URIs and webhook URLs).
PUBLIC_BASE_URL: str = env.url(
    "PUBLIC_BASE_URL", default="http://127.0.0.1:8000", schemes=("http", "https")
)
# Where the demo's OC emulator listens (`manage.py oc_sandbox`); never used in production.
OC_SANDBOX_URL: str = env.url("OC_SANDBOX_URL", default="http://127.0.0.1:8765", schemes=("http",))

# --- API call log ---------------------------------------------------------------------
API_LOG_BODY_LIMIT = env.integer("API_LOG_BODY_LIMIT", default=4000, minimum=200)
API_LOG_KEEP_SUCCESS_DAYS = env.integer("API_LOG_KEEP_SUCCESS_DAYS", default=14, minimum=1)
API_LOG_KEEP_FAILURE_DAYS = env.integer("API_LOG_KEEP_FAILURE_DAYS", default=90, minimum=1)

# --- Orange Connex --------------------------------------------------------------------
# Connect and read timeouts (seconds) for every OC call.
OC_CONNECT_TIMEOUT = env.number("OC_CONNECT_TIMEOUT", default=5.0)
OC_READ_TIMEOUT = env.number("OC_READ_TIMEOUT", default=60.0)
# An access token is refreshed this many seconds before OC says it expires.
OC_ACCESS_TOKEN_MARGIN_SECONDS = env.integer(
    "OC_ACCESS_TOKEN_MARGIN_SECONDS", default=300, minimum=0
)
# Warn (banner, log, email) this many days before a refresh token expires.
OC_REFRESH_TOKEN_WARNING_DAYS = env.integer("OC_REFRESH_TOKEN_WARNING_DAYS", default=30, minimum=1)
# How long an "Authorize with Orange Connex" click stays valid (OAuth state).
OC_OAUTH_STATE_TTL_SECONDS = env.integer("OC_OAUTH_STATE_TTL_SECONDS", default=600, minimum=60)
# Transient token-refresh failures are retried this often, with this base backoff (seconds).
OC_TOKEN_REFRESH_ATTEMPTS = env.integer("OC_TOKEN_REFRESH_ATTEMPTS", default=3, minimum=1)
OC_TOKEN_RETRY_BACKOFF_SECONDS = env.number("OC_TOKEN_RETRY_BACKOFF_SECONDS", default=0.5)
# A snapshot that would set more than this share of "Created in OC = yes" rows to No waits
# for a person to confirm it (as does an empty snapshot).
OC_STOCK_FLIP_CONFIRM_SHARE = env.number("OC_STOCK_FLIP_CONFIRM_SHARE", default=0.2)
# A reviewed (dry-run or waiting) plan older than this is not applied any more.
OC_STOCK_PLAN_MAX_AGE_HOURS = env.integer("OC_STOCK_PLAN_MAX_AGE_HOURS", default=6, minimum=1)
# Accounts on "automatic" read StockSnapshot v2 (paged) once their OC SKU catalogue, or
# their last snapshot, holds at least this many SKUs; v1 below.
OC_STOCK_V2_FROM_SKUS = env.integer("OC_STOCK_V2_FROM_SKUS", default=20_000, minimum=1)
# Stock history lines (what each applied snapshot changed) are kept this many days.
OC_STOCK_HISTORY_DAYS = env.integer("OC_STOCK_HISTORY_DAYS", default=400, minimum=1)
# A sync run still "running" after this long is marked failed (its worker died).
OC_SYNC_RUN_TIMEOUT_MINUTES = env.integer("OC_SYNC_RUN_TIMEOUT_MINUTES", default=60, minimum=5)
# OC service region -> the site code of the eBay account whose item accounts it fills.
OC_REGION_EBAY_SITES = env.mapping("OC_REGION_EBAY_SITES", default={"UK": "UK", "DE": "DE"})

# Low stock: a stock row without a threshold of its own is low below this many units
# available, or when it covers fewer days than this at the last 30 days' sales (0: off).
OC_LOW_STOCK_MINIMUM = env.integer("OC_LOW_STOCK_MINIMUM", default=5, minimum=0)
OC_LOW_STOCK_MIN_DAYS_OF_COVER = env.integer("OC_LOW_STOCK_MIN_DAYS_OF_COVER", default=7, minimum=0)

# Outbound orders: the region for orders without an eBay site (by destination country),
# and the shipping service each region uses unless staff choose another.
OC_COUNTRY_REGIONS = env.mapping("OC_COUNTRY_REGIONS", default={"GB": "UK", "DE": "DE"})
OC_DEFAULT_REGION = env.text("OC_DEFAULT_REGION", default="UK")
OC_DEFAULT_SHIPPING_SERVICES = env.mapping(
    "OC_DEFAULT_SHIPPING_SERVICES",
    default={"UK": "GBDomesticStandard", "DE": "DEDomesticStandard"},
)
# The fee report and the outbound order page flag a charge above its estimate by more
# than this share (0.10: 10 % more than OC estimated before the order shipped).
OC_FEE_ALERT_SHARE = env.number("OC_FEE_ALERT_SHARE", default=0.10)
# Cost estimates on the push page (oc_integration/costs/estimates.py): which freight trial
# (auto: the synchronous one, else the request/response pair), how long an estimate is
# reused, and the bounded poll of the pair. OC_COST_ESTIMATE_SHAPE (a settings-module
# dict, not an environment variable) overrides the inferred answer shapes of CostShape.
OC_COST_ESTIMATE_MODE = env.text(
    "OC_COST_ESTIMATE_MODE", default="auto", expects="auto, synced or async"
)
OC_COST_ESTIMATE_MAX_AGE_MINUTES = env.integer(
    "OC_COST_ESTIMATE_MAX_AGE_MINUTES", default=60, minimum=0
)
OC_COST_ESTIMATE_POLLS = env.integer("OC_COST_ESTIMATE_POLLS", default=4, minimum=1)
OC_COST_ESTIMATE_POLL_SECONDS = env.number("OC_COST_ESTIMATE_POLL_SECONDS", default=0.5)
OC_COST_ESTIMATE_SHAPE: dict[str, Any] = {}
# Inbound orders: an order marked "sending" younger than this belongs to another request
# (left alone); each inbound sync starts this long before where the last one ended.
OC_INBOUND_SENDING_WAIT_MINUTES = env.integer(
    "OC_INBOUND_SENDING_WAIT_MINUTES", default=5, minimum=1
)
OC_INBOUND_SYNC_OVERLAP_MINUTES = env.integer(
    "OC_INBOUND_SYNC_OVERLAP_MINUTES", default=10, minimum=0
)
# The first import of an account's OC return orders looks back this far.
OC_RETURNS_FIRST_LOOKBACK_DAYS = env.integer(
    "OC_RETURNS_FIRST_LOOKBACK_DAYS", default=60, minimum=1
)
# How far back the status job looks for orders OC created itself.
OC_AUTO_ORDER_LOOKBACK_HOURS = env.integer("OC_AUTO_ORDER_LOOKBACK_HOURS", default=48, minimum=1)
# An order whose creation answer was lost is sent again only after this many Query v2
# checks answered "not found", the first at least this many minutes before (OC may lag).
OC_RESEND_AFTER_NOT_FOUND_CHECKS = env.integer(
    "OC_RESEND_AFTER_NOT_FOUND_CHECKS", default=3, minimum=1
)
OC_RESEND_AFTER_NOT_FOUND_MINUTES = env.integer(
    "OC_RESEND_AFTER_NOT_FOUND_MINUTES", default=10, minimum=0
)
# Orders with the seller's own label (placeThirdPartyLabelOrder): the label files staff
# may attach (PDF, PNG, ZPL), their largest size, and how many orders go in one call
# (OC states no limit for this call; its labels make calls far larger than 6.1's).
OC_OWN_LABEL_TYPES = env.items("OC_OWN_LABEL_TYPES", default=["PDF", "PNG", "ZPL"])
OC_OWN_LABEL_MAX_BYTES = env.integer("OC_OWN_LABEL_MAX_BYTES", default=2_000_000, minimum=1)
OC_OWN_LABEL_ORDERS_PER_CALL = env.integer("OC_OWN_LABEL_ORDERS_PER_CALL", default=10, minimum=1)
# OC's page shows only the first fields of an own-label order; the names of the rest are
# inferred (see oc_integration/client/own_label.py) and can be changed here, e.g.
# OC_OWN_LABEL_FIELDS=serviceCode=serviceCode,labelFile=labelBase64.
OC_OWN_LABEL_FIELDS = env.mapping("OC_OWN_LABEL_FIELDS", default={})

# --- eBay -------------------------------------------------------------------------------
# The Trading API endpoint (production: https://api.ebay.com/ws/api.dll).
EBAY_TRADING_API_URL: str = env.url(
    "EBAY_TRADING_API_URL", default="http://127.0.0.1:8766/ws/api.dll", schemes=("http", "https")
)
EBAY_COMPATIBILITY_LEVEL = env.integer("EBAY_COMPATIBILITY_LEVEL", default=1349, minimum=1)
EBAY_CONNECT_TIMEOUT = env.number("EBAY_CONNECT_TIMEOUT", default=5.0)
EBAY_READ_TIMEOUT = env.number("EBAY_READ_TIMEOUT", default=60.0)
# GetOrders re-reads this many minutes before the saved cursor, so no late change is missed.
EBAY_IMPORT_OVERLAP_MINUTES = env.integer("EBAY_IMPORT_OVERLAP_MINUTES", default=10, minimum=0)
# How far back the first import of a new connection reads (eBay keeps 90 days).
EBAY_IMPORT_INITIAL_DAYS = env.integer("EBAY_IMPORT_INITIAL_DAYS", default=30, minimum=1)
# Where the demo's eBay emulator listens (`manage.py ebay_sandbox`); never used in production.
EBAY_SANDBOX_URL: str = env.url(
    "EBAY_SANDBOX_URL", default="http://127.0.0.1:8766", schemes=("http",)
)
# eBay's hosts per environment of a connection: the REST and identity (token) API, and
# the consent pages. The emulator environment uses EBAY_SANDBOX_URL for both.
EBAY_PRODUCTION_API_URL: str = env.url(
    "EBAY_PRODUCTION_API_URL", default="https://api.ebay.com", schemes=("https",)
)
EBAY_PRODUCTION_AUTH_URL: str = env.url(
    "EBAY_PRODUCTION_AUTH_URL", default="https://auth.ebay.com", schemes=("https",)
)
EBAY_TEST_API_URL: str = env.url(
    "EBAY_TEST_API_URL", default="https://api.sandbox.ebay.com", schemes=("https",)
)
EBAY_TEST_AUTH_URL: str = env.url(
    "EBAY_TEST_AUTH_URL", default="https://auth.sandbox.ebay.com", schemes=("https",)
)
# A "Connect to eBay" state is valid this long (the seller signs in at eBay meanwhile).
EBAY_OAUTH_STATE_TTL_SECONDS = env.integer("EBAY_OAUTH_STATE_TTL_SECONDS", default=900, minimum=60)
# An access token is refreshed this long before eBay says it expires.
EBAY_ACCESS_TOKEN_MARGIN_SECONDS = env.integer(
    "EBAY_ACCESS_TOKEN_MARGIN_SECONDS", default=300, minimum=0
)
# A refresh eBay could not answer (timeout, 5xx, 429) is tried this often, waiting
# backoff, then twice that, and so on (seconds).
EBAY_TOKEN_REFRESH_ATTEMPTS = env.integer("EBAY_TOKEN_REFRESH_ATTEMPTS", default=3, minimum=1)
EBAY_TOKEN_RETRY_BACKOFF_SECONDS = env.number("EBAY_TOKEN_RETRY_BACKOFF_SECONDS", default=0.5)
# The refresh token's expiry is warned about this many days ahead.
EBAY_REFRESH_TOKEN_WARNING_DAYS = env.integer(
    "EBAY_REFRESH_TOKEN_WARNING_DAYS", default=30, minimum=1
)

# --- Orange Connex: the SKU catalogue ---------------------------------------------------
# A first (or --full) SKU sync asks OC for every SKU modified since this date (YYYY-MM-DD),
# in windows of this many days (OC states no window limit); later syncs start this many
# days before the previous complete sync began.
OC_SKU_SYNC_EARLIEST_DATE = env.text("OC_SKU_SYNC_EARLIEST_DATE", default="2016-01-01")
OC_SKU_QUERY_WINDOW_DAYS = env.integer("OC_SKU_QUERY_WINDOW_DAYS", default=30, minimum=1)
OC_SKU_SYNC_OVERLAP_DAYS = env.integer("OC_SKU_SYNC_OVERLAP_DAYS", default=2, minimum=1)
# A registration still waiting for OC's answer is left alone this long (another request may
# be sending it); after that it is checked with SKU Query before anything is sent again.
OC_SKU_REGISTRATION_WAIT_MINUTES = env.integer(
    "OC_SKU_REGISTRATION_WAIT_MINUTES", default=5, minimum=0
)

# --- Operations: health page, monitoring endpoints, alerts -------------------------------
# An alert goes out when a job fails this many times in a row.
ALERT_JOB_FAILURES = env.integer("ALERT_JOB_FAILURES", default=3, minimum=1)
# The worker (its heartbeat job runs every minute) or beat (it sends a job at least every
# minute) counts as stopped when silent this long.
ALERT_HEARTBEAT_STALE_MINUTES = env.integer("ALERT_HEARTBEAT_STALE_MINUTES", default=5, minimum=2)
# Optional: every alert and recovery is also POSTed as JSON here (chat tools' incoming
# webhooks read its "text"); a failure is logged and never stops the evaluation.
ALERT_WEBHOOK_URL: str = (
    env.url("ALERT_WEBHOOK_URL", default="", schemes=("http", "https"))
    if env.text("ALERT_WEBHOOK_URL", default="").strip()
    else ""
)
ALERT_WEBHOOK_TIMEOUT_SECONDS = env.number("ALERT_WEBHOOK_TIMEOUT_SECONDS", default=5.0)
# An outbound order still Sending or Unknown after this many minutes is stuck.
OC_STUCK_ORDER_MINUTES = env.integer("OC_STUCK_ORDER_MINUTES", default=60, minimum=5)
# /metrics: when set, scrapes must send "Authorization: Bearer <METRICS_TOKEN>"; when
# empty it is open (then keep it reachable only from the monitoring network).
METRICS_TOKEN: str = env.text("METRICS_TOKEN", default="")
# /readyz (and the health page's broker probe) give the database and the broker this
# many seconds to answer.
READINESS_TIMEOUT_SECONDS = env.number("READINESS_TIMEOUT_SECONDS", default=2.0)
# Probes reach the processes over plain HTTP, from inside, where an HTTPS redirect fails.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
