"""Settings for the Cyberport AI Subsidy Scheme system.

One module, driven by environment variables, with safe local defaults:

* no ``DATABASE_URL``: a SQLite file (the embedded default); ``postgres://...``: PostgreSQL;
* no ``CELERY_BROKER_URL``/``REDIS_URL``: Celery tasks run eagerly in-process; with one,
  Redis is the broker and the cache and a separate worker delivers;
* ``DEBUG`` is off unless asked for, and ``SECRET_KEY`` is required when it is off.

This module is production's and local development's (manage.py, Celery, gunicorn). The test
suite loads ``config.settings_test``, named by pytest's configuration in pyproject.toml:
nothing here changes because a test runner happens to be imported.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

from config.beat import beat_schedule

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "insecure-local-development-key-never-used-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (set DEBUG=1 for local development)."
        )

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

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
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "csp",
    # Project apps; dependencies point one way: reviews -> applicants -> subsidy.
    "subsidy",
    "applicants",
    "reviews",
]

MIDDLEWARE = [
    # First: every answer and every log line of the request carries its X-Request-Id.
    "subsidy.platform.request_id.RequestIdMiddleware",
    # Before anything reads the body: a body declared too large is answered 413 unread.
    "subsidy.platform.middleware.RequestSizeLimitMiddleware",
    # The API's RateLimit-* headers, on every answer the throttles counted.
    "subsidy.api.auth.RateLimitHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "subsidy.platform.middleware.UserLanguageMiddleware",
    "subsidy.platform.middleware.AuditContextMiddleware",
    "subsidy.platform.middleware.RefusedRequestMiddleware",
    "subsidy.platform.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "subsidy.platform.web.context.navigation",
                "subsidy.notifications.web.context.inbox_unread",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a writer instead of failing at once ("database is locked") on the embedded DB.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
# Reports and exports may read from a PostgreSQL read replica (docs/scaling.md): the router
# sends their reads to the "replica" alias, everything else stays on the primary.
REPLICA_DATABASE_URL = env.str("REPLICA_DATABASE_URL", default="")
if REPLICA_DATABASE_URL:
    DATABASES["replica"] = {
        **env.db_url_config(REPLICA_DATABASE_URL),
        "CONN_MAX_AGE": DATABASES["default"].get("CONN_MAX_AGE", 0),
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"MIRROR": "default"},
    }
REPORTING_DATABASE = "replica" if REPLICA_DATABASE_URL else "default"
DATABASE_ROUTERS = ["subsidy.platform.routers.ReportingRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The application's own PostgreSQL role (web, worker, beat), granted its rights by
# ``manage.py db_roles`` run as the owning role after migrate (docs/deployment.md).
DATABASE_APP_ROLE = env.str("DATABASE_APP_ROLE", default="")

# The largest request body taken (bytes): one 10 MB document (applicants/rules.py) and its
# form. Larger declared bodies get 413 before they are read (RequestSizeLimitMiddleware);
# fields other than files stay within Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB).
REQUEST_MAX_BYTES = env.int("REQUEST_MAX_BYTES", default=11 * 1024 * 1024)
# Virus scanning of uploads (docs/deployment.md): "clamd" at CLAMD_URL (tcp://host:3310), on by
# default when CLAMD_URL is set; empty, and staff see documents as "not scanned". An upload
# waits as "scanning" while clamd does not answer within CLAMD_TIMEOUT seconds; beat retries.
CLAMD_URL = env.str("CLAMD_URL", default="")
VIRUS_SCANNER = env.str("VIRUS_SCANNER", default="clamd" if CLAMD_URL else "")
CLAMD_TIMEOUT = env.float("CLAMD_TIMEOUT", default=10.0)

# --- Redis, cache and Celery --------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)

# Either variable makes Redis the cache too (a broker URL only when it names Redis).
CACHE_REDIS_URL = REDIS_URL or (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else ""
)
if CACHE_REDIS_URL:
    # Fails open with a logged warning, so sign-in works with Redis down (subsidy.platform.cache).
    CACHES = {"default": {"BACKEND": "subsidy.platform.cache.FailOpenRedisCache",
                          "LOCATION": CACHE_REDIS_URL,
                          "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Without a broker, tasks run in-process right after the transaction commits.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "Asia/Hong_Kong"
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
# Late acknowledgement: a message is acknowledged after its task ran, so a worker that dies
# mid-task leaves it to be redelivered. Every task must therefore be idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery's Django fixup closes the worker's database connection before and after every
# task unless this is set, so each task would open a new one (CONN_MAX_AGE ignored). With
# it, the fixup closes the connection once per this many tasks, and ``config.celery`` gives
# tasks Django's request lifecycle instead: CONN_MAX_AGE and CONN_HEALTH_CHECKS apply.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Unacknowledged messages of a dead worker come back after this many seconds.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
}
# Publishing must not hang a web request when the broker is down: the outbox sweeper
# re-enqueues whatever could not be published.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0,
                                    "interval_step": 0.2, "interval_max": 0.5}
# One queue per kind of work, so each can have its own pool of workers (docs/scaling.md):
# `celery -A config worker -Q notifications`. A worker started without -Q consumes them all,
# as `make worker` and the compose file's worker do.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = [Queue(name) for name in
                      ("celery", "notifications", "webhooks", "exports", "imports")]
CELERY_TASK_ROUTES = {
    "subsidy.tasks.deliver_notification": {"queue": "notifications"},
    "subsidy.tasks.sweep_outbox": {"queue": "notifications"},
    "subsidy.tasks.send_staff_daily_digest": {"queue": "notifications"},
    "subsidy.tasks.deliver_webhook": {"queue": "webhooks"},
    "subsidy.tasks.sweep_webhook_deliveries": {"queue": "webhooks"},
}
CELERY_BEAT_SCHEDULE = beat_schedule(
    outbox_sweep_seconds=env.int("OUTBOX_SWEEP_SECONDS", default=60),
    webhook_sweep_seconds=env.int("WEBHOOK_SWEEP_SECONDS", default=60),
)
# Deployment knobs of email delivery, tuned to the mail server and the broker: how long a
# pending notification waits before the sweeper re-enqueues it, and how hard a refused send
# is retried.
OUTBOX_STALE_SECONDS = env.int("OUTBOX_STALE_SECONDS", default=120)
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=5)
# Delivery retries wait base, 2 x base, 4 x base, ... seconds, never more than the maximum.
NOTIFICATION_RETRY_BASE_SECONDS = env.int("NOTIFICATION_RETRY_BASE_SECONDS", default=30)
NOTIFICATION_RETRY_MAX_SECONDS = env.int("NOTIFICATION_RETRY_MAX_SECONDS", default=3600)
# A delivery holds its claim on a notification this long. It must outlast one send (the
# SMTP timeout, EMAIL_TIMEOUT, is checked against it at start-up): a claim that expires
# while its worker is still sending would let a second worker send the same message.
NOTIFICATION_LEASE_SECONDS = env.int("NOTIFICATION_LEASE_SECONDS", default=120)
# A task that arrives before the transaction that wrote its row is visible retries this
# many times, this many seconds apart, before it leaves the row to the sweeper.
NOTIFICATION_NOT_VISIBLE_RETRIES = 5
# The domain of every notification's Message-ID (<aiss-notification-<id>@domain>).
NOTIFICATION_MESSAGE_ID_DOMAIN = env.str("NOTIFICATION_MESSAGE_ID_DOMAIN", default="cyberport.hk")
NOTIFICATION_NOT_VISIBLE_DELAY_SECONDS = 1

# --- Personal data (docs/privacy.md) ------------------------------------------------------
# Days each kind of personal data is kept (sessions: days after expiry; drafts: after their last
# change; documents: after their application closed); the nightly retention job erases the rest.
RETENTION = {
    "notifications": env.int("RETENTION_NOTIFICATIONS_DAYS", default=365),
    "signin_records": env.int("RETENTION_SIGNIN_RECORDS_DAYS", default=180),
    "sessions": env.int("RETENTION_SESSIONS_DAYS", default=0),
    "abandoned_drafts": env.int("RETENTION_ABANDONED_DRAFTS_DAYS", default=365),
    "closed_application_documents": env.int("RETENTION_CLOSED_APPLICATION_DOCUMENTS_DAYS",
                                            default=7 * 365),
}
# Data access requests: their reminders also go here, this many days before they fall due.
PRIVACY_OFFICER_EMAIL = env.str("PRIVACY_OFFICER_EMAIL", default="privacy@cyberport.hk")
DAR_REMINDER_DAYS = env.int("DAR_REMINDER_DAYS", default=7)

# --- Email --------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# Seconds an SMTP connection may block; a delivery's claim (NOTIFICATION_LEASE_SECONDS)
# must outlast a send, so it may not block for ever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="AI Subsidy Scheme <aiss@cyberport.hk>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "email"))

# --- Authentication -----------------------------------------------------------------------
AUTH_USER_MODEL = "subsidy.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "core:home"

ACCOUNT_ADAPTER = "subsidy.notifications.account_adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[AISS] "
ACCOUNT_SIGNUP_FORM_CLASS = "subsidy.platform.web.forms.SignupProfileForm"
# Wrong passwords: django-axes, per account and address. allauth's "login_failed" counts only
# wrong second-factor codes (the account adapter keeps it off the password).
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
# Security keys and passkeys (WebAuthn) are a second factor, never a passwordless sign-in.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_WEBAUTHN_USER_VERIFICATION = "required"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG  # http://localhost in the local demo
MFA_TOTP_ISSUER = "Cyberport AISS"
# Staff roles must set up TOTP before using the system when this is on (production).
STAFF_REQUIRE_2FA = env.bool("STAFF_REQUIRE_2FA", default=not DEBUG)

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "login"
AXES_USERNAME_CALLABLE = "subsidy.platform.security.axes_username"
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

# Proxies before the site that append to X-Forwarded-For (security.client_ip); 0: none.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "subsidy.platform.security.client_ip"

# --- Payments ------------------------------------------------------------------------------
# Prepare, approve and release a payment batch: three different people when on (the
# preparer never releases either way). On by default in production.
FINANCE_SEPARATE_RELEASE = env.bool("FINANCE_SEPARATE_RELEASE", default=not DEBUG)
# A new or changed bank account is usable for payments only this many hours after the
# change (and once a finance officer has verified it).
FINANCE_BANK_ACCOUNT_COOLING_OFF_HOURS = env.int("FINANCE_BANK_ACCOUNT_COOLING_OFF_HOURS",
                                                 default=72)
# The account the scheme pays from, as written into the ISO 20022 pain.001 bank file.
FINANCE_DEBTOR_NAME = env.str("FINANCE_DEBTOR_NAME",
                              default="Hong Kong Cyberport Management Company Limited")
FINANCE_DEBTOR_ACCOUNT = env.str("FINANCE_DEBTOR_ACCOUNT", default="004-111-222333-001")
FINANCE_DEBTOR_BIC = env.str("FINANCE_DEBTOR_BIC", default="HSBCHKHHHKH")

# --- Open data (360Giving, docs/finance-reports.md) ---------------------------------------
# Grant ids, and the ids of companies without a Companies Registry number, start with the
# publisher prefix 360Giving issues. The funder is named by its org-id.guide id,
# HK-CR-<Cyberport's CR No.>, once set; until then by the prefix (opendata_check warns).
OPENDATA_PUBLISHER_PREFIX = env.str("OPENDATA_PUBLISHER_PREFIX", default="360G-CYBERPORT")
OPENDATA_FUNDER_ORG_ID = env.str("OPENDATA_FUNDER_ORG_ID", default="")

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hant", _("Traditional Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Hong_Kong"
USE_I18N = True
USE_TZ = True
# Hong Kong's Chinese groups thousands with commas like English (config/formats/zh_Hant).
FORMAT_MODULE_PATH = ["config.formats"]

# --- Static and media files ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
STORAGES = {
    # Uploaded documents are private: they are served only through permission-checked views.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": MEDIA_ROOT, "base_url": None}},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
                    if not DEBUG else
                    "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# S3-compatible object storage for documents when a bucket is configured. Objects stay
# private (no public ACL, no unsigned URLs): downloads still go through the permission-checked
# views, which stream the file from the bucket.
DOCUMENTS_S3_BUCKET = env.str("DOCUMENTS_S3_BUCKET", default="")
if DOCUMENTS_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": DOCUMENTS_S3_BUCKET,
            "endpoint_url": env.str("DOCUMENTS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("DOCUMENTS_S3_REGION", default="") or None,
            "access_key": env.str("DOCUMENTS_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("DOCUMENTS_S3_SECRET_ACCESS_KEY", default="") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            "location": env.str("DOCUMENTS_S3_PREFIX", default="documents"),
        },
    }

# --- Security -----------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 8
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# A policy without inline scripts: every script is a file served by the project itself.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- REST framework -----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "subsidy.api.schema.ProblemAutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["subsidy.api.auth.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["subsidy.api.auth.HasRequiredScopes"],
    "DEFAULT_THROTTLE_CLASSES": ["subsidy.api.auth.ApiKeyRateThrottle",
                                 "subsidy.api.auth.PartnerRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "subsidy.api.pagination.StableCursorPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "subsidy.api.errors.problem_exception_handler",
}
# Requests per API key (cache-backed: Redis when configured), e.g. "1200/min".
API_THROTTLE_RATE = env.str("API_THROTTLE_RATE", default="1200/min")
# Requests per partner organisation, all its keys together.
API_PARTNER_THROTTLE_RATE = env.str("API_PARTNER_THROTTLE_RATE", default="3000/min")
SPECTACULAR_SETTINGS = {
    "TITLE": "Cyberport AI Subsidy Scheme API",
    "DESCRIPTION": "Partner and finance API. Errors are RFC 9457 application/problem+json.",
    "VERSION": "1.1.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStatusEnum": "applicants.api.serializers.PUBLIC_STATUS_CODES",
        "BudgetCategoryEnum": "applicants.models.BudgetLine.Category",
        "SectorEnum": "subsidy.scheme.models.Sector",
    },
}

# Webhooks: plain http and private addresses are for local receivers in tests only. The
# timeout and retry policy promised to partners are rules of the API (subsidy/webhooks/rules.py);
# how long a due delivery may wait before the sweeper re-sends it is a deployment knob.
WEBHOOKS_ALLOW_INSECURE = env.bool("WEBHOOKS_ALLOW_INSECURE", default=False)
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", default=False)
# Ports besides 443 that webhook endpoints may use, e.g. "8443,9443".
WEBHOOKS_ALLOWED_PORTS = env.list("WEBHOOKS_ALLOWED_PORTS", cast=int, default=[])
WEBHOOK_SWEEP_GRACE_SECONDS = env.int("WEBHOOK_SWEEP_GRACE_SECONDS", default=120)
# Without a broker (tasks run in-process, as in make run) a failed delivery is retried after
# its backoff on a timer thread; on by default for local trials (DEBUG), off in tests.
WEBHOOKS_LOCAL_RETRY_TIMERS = env.bool("WEBHOOKS_LOCAL_RETRY_TIMERS",
                                       default=CELERY_TASK_ALWAYS_EAGER and DEBUG)

# --- Logging ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "subsidy.platform.request_id.RequestIdLogFilter"}},
    "formatters": {"plain": {
        "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain",
                             "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django.db.backends": {"level": "WARNING"},
    },
}

# The scheme's own rules (offer validity, ratio caps, upload limits, the webhook contract)
# are not settings: each lives in the package that owns it, in its ``rules.py``.
