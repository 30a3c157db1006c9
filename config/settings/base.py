"""Settings shared by every environment, read from the environment (django-environ).

Local defaults work with no environment at all: PostgreSQL and Redis on their standard
local ports, ``PLATFORM_DOMAIN=localhost``.
"""

from pathlib import Path
from urllib.parse import unquote

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me-0123456789abcdef")
DEBUG = env.bool("DEBUG", default=False)

PLATFORM_DOMAIN = env("PLATFORM_DOMAIN", default="localhost")
# Port shown in links between hosts (sign-up -> tenant login). Empty in production.
PLATFORM_PORT = env("PLATFORM_PORT", default="")
PLATFORM_SCHEME = env("PLATFORM_SCHEME", default="http")
# Tenant hosts are subdomains of PLATFORM_DOMAIN; custom domains are added per tenant and
# checked by tenants.middleware, so the wildcard below is narrowed in production settings.
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[PLATFORM_DOMAIN, f".{PLATFORM_DOMAIN}"])

# ---------------------------------------------------------------------------------------
# Apps. Every local app declares its scope (public, tenant or both) in its AppConfig;
# tenants.checks fails `manage.py check` when the lists below disagree with that.
# ---------------------------------------------------------------------------------------
SHARED_APPS = [
    "django_tenants",
    "tenants.apps.TenantsConfig",
    "tenants.users.apps.UsersConfig",
    "billing.apps.BillingConfig",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_ratelimit",
    "corsheaders",
    # Two-factor devices of operators (and, in TENANT_APPS, of staff): tenants.two_factor.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "tenants.two_factor.apps.TwoFactorConfig",
]

TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.admin",
    "django.contrib.postgres",
    "tenants.users.apps.UsersConfig",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "crm.core.apps.CoreConfig",
    "crm.accounts.apps.AccountsConfig",
    "crm.leads.apps.LeadsConfig",
    "crm.sales.apps.SalesConfig",
    "crm.activities.apps.ActivitiesConfig",
    "crm.pool.apps.PoolConfig",
    "crm.api_tokens.apps.ApiTokensConfig",
    "crm.staff.apps.StaffConfig",
    "crm.workspace.apps.WorkspaceConfig",
    "crm.dataexport.apps.DataExportConfig",
    "crm.catalog.apps.CatalogConfig",
    "crm.quotes.apps.QuotesConfig",
    "crm.orders.apps.OrdersConfig",
    "crm.receivables.apps.ReceivablesConfig",
    "crm.expenses.apps.ExpensesConfig",
    "crm.service.apps.ServiceConfig",
    "crm.webhooks.apps.WebhooksConfig",
    "crm.imports.apps.ImportsConfig",
    "crm.reports.apps.ReportsConfig",
    "portal.apps.PortalConfig",
    "portal.inquiries.apps.InquiriesConfig",
    "portal.quote_builder.apps.QuoteBuilderConfig",
    "cms.apps.CmsConfig",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    # wagtail.users with the seat-checked user pages (crm.staff.cms_users).
    "crm.staff.cms_apps.StaffWagtailUsersConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "tenants.two_factor.apps.TwoFactorConfig",
]

INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
# New tenants are cloned (tables and data: Wagtail's root page, Site and permissions are data)
# from this template schema, which is a real tenant row without a domain so that
# migrate_schemas keeps it current.
TENANT_BASE_SCHEMA = "tpl_base"
TENANT_CREATION_FAKES_MIGRATIONS = True
TENANT_WARM_POOL_SIZE = env.int("TENANT_WARM_POOL_SIZE", default=2)
TENANT_MULTIPROCESSING_MAX_PROCESSES = env.int("TENANT_MIGRATE_PROCESSES", default=2)
TENANT_MULTIPROCESSING_CHUNKS = 2
TENANT_LIMIT_SET_CALLS = True
SHOW_PUBLIC_IF_NO_TENANT_FOUND = False

MIDDLEWARE = [
    "tenants.middleware.HealthCheckMiddleware",
    "tenants.errors.ApiJsonErrorsMiddleware",
    "tenants.middleware.TenantRoutingMiddleware",
    # CORS for the inquiry API only, origins per tenant (portal.inquiries.cors).
    "corsheaders.middleware.CorsMiddleware",
    # The client address for audit entries written anywhere during the request.
    "crm.core.request_context.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Unverified sessions (two-factor) reach only the code step or the enrolment page.
    "tenants.two_factor.middleware.TwoFactorMiddleware",
    "tenants.middleware.RejectNullBytesMiddleware",
    "tenants.users.middleware.UserLanguageMiddleware",
    # The workspace's time zone, default language and number/date formats.
    "crm.workspace.middleware.WorkspaceLocaleMiddleware",
    "tenants.middleware.TenantStatusMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tenants.middleware.TenantOnlyRedirectMiddleware",
]

# JSON under /api/, Django's page elsewhere.
CSRF_FAILURE_VIEW = "tenants.errors.csrf_failure"
ROOT_URLCONF = "config.urls_tenant"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenants.context_processors.platform",
                "crm.core.context_processors.crm_shell",
                "portal.context_processors.portal_page",
            ],
        },
    },
]

# ---------------------------------------------------------------------------------------
# Database, cache, sessions
# ---------------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/crm_platform"),
}
# A Unix socket directory may come percent-encoded in the URL's host (private dev server).
DATABASES["default"]["HOST"] = unquote(DATABASES["default"].get("HOST") or "")
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
# Which connection pooler sits in front of PostgreSQL: "none", "session" or "transaction".
# search_path is set per connection, so only session pooling is safe (tenants/pooling.py).
DATABASE_POOLER = env("DATABASE_POOLER", default="")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")


def _redis_db_url(db_offset: int) -> str:
    """The same Redis server, another logical database (cache, sessions, broker apart)."""
    base, _, db = REDIS_URL.rpartition("/")
    if not db.isdigit():
        return f"{REDIS_URL.rstrip('/')}/{db_offset}"
    return f"{base}/{int(db) + db_offset}"


_TENANT_CACHE = {
    "BACKEND": "django_redis.cache.RedisCache",
    # Every key starts with the schema of the request or task: tenants cannot read each
    # other's entries by construction (django_tenants.cache.make_key).
    "KEY_FUNCTION": "django_tenants.cache.make_key",
    "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    "OPTIONS": {
        "CLIENT_CLASS": "django_redis.client.DefaultClient",
        "SOCKET_CONNECT_TIMEOUT": 1,
        "SOCKET_TIMEOUT": 1,
        # A cache outage degrades to misses instead of 500s.
        "IGNORE_EXCEPTIONS": True,
    },
}
CACHES = {
    "default": {**_TENANT_CACHE, "LOCATION": REDIS_URL},
    "sessions": {**_TENANT_CACHE, "LOCATION": REDIS_URL, "KEY_PREFIX": "session"},
    # Sign-in throttle counters (tenants.security.throttle): errors are raised, not swallowed,
    # so the throttle knows Redis is down and falls back to per-process counters.
    "throttle": {
        **_TENANT_CACHE, "LOCATION": REDIS_URL, "KEY_PREFIX": "throttle",
        "OPTIONS": {**_TENANT_CACHE["OPTIONS"], "IGNORE_EXCEPTIONS": False},
    },
}
DJANGO_REDIS_IGNORE_EXCEPTIONS = True
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

# Sessions live in each schema's own table with a tenant-prefixed Redis cache in front: a
# session created on one tenant's host is unknown on every other host.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "sessions"
# Host-only cookies: never a leading-dot domain shared across tenants' subdomains.
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# ---------------------------------------------------------------------------------------
# Auth
# ---------------------------------------------------------------------------------------
AUTH_USER_MODEL = "users.User"
LOGIN_URL = "login"
# Operators must pass two-factor (tenants.two_factor) before the console opens; on in
# production (config/settings/production.py), off here so local runs and tests sign in as before.
OPERATOR_REQUIRE_2FA = env.bool("OPERATOR_REQUIRE_2FA", default=False)
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # no TOTP secrets or backup codes in Django's admin
LOGIN_REDIRECT_URL = "crm:home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Client address (tenants.security.client_ip): how many reverse proxies in front of the app
# append to CLIENT_IP_HEADER. 0 = none: the header is ignored and REMOTE_ADDR is the client
# (a client-supplied X-Forwarded-For is never trusted without this setting).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
CLIENT_IP_HEADER = env("CLIENT_IP_HEADER", default="HTTP_X_FORWARDED_FOR")
RATELIMIT_IP_META_KEY = "tenants.security.client_ip.client_ip"  # django-ratelimit, same rule

# ---------------------------------------------------------------------------------------
# i18n
# ---------------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# ---------------------------------------------------------------------------------------
# Static and media (media under the tenant's schema name)
# ---------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
# Files only crm.core.files may serve (attachments): outside MEDIA_ROOT, which a web server
# or CDN may publish for Wagtail's public image renditions; one folder per schema.
PROTECTED_MEDIA_ROOT = env("PROTECTED_MEDIA_ROOT", default=str(BASE_DIR / "var" / "protected"))
# Files with no URL (whole-tenant exports): PRIVATE_MEDIA_ROOT/<schema>/, served only by
# views that check who asks. Exports stay downloadable this many days.
PRIVATE_MEDIA_ROOT = env("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "var" / "private"))
TENANT_EXPORT_RETENTION_DAYS = env.int("TENANT_EXPORT_RETENTION_DAYS", default=7)
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# ---------------------------------------------------------------------------------------
# E-mail
# ---------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default=f"no-reply@{PLATFORM_DOMAIN}")

# ---------------------------------------------------------------------------------------
# Celery (tenant-schemas-celery stamps the sender's schema on every task)
# ---------------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=_redis_db_url(1))
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=_redis_db_url(1))
# The queue tasks are sent to when no route names one (benchmarks send to a throw-away one).
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULER = "tenants.scheduler.CustomerTenantScheduler"
CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / "var" / "celerybeat-schedule")

# ---------------------------------------------------------------------------------------
# Stripe
# ---------------------------------------------------------------------------------------
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
# Optional base URL of a local Stripe (localstripe in tests and development).
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")

# ---------------------------------------------------------------------------------------
# REST API
# ---------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: unauthenticated API calls answer 401 with a WWW-Authenticate header.
        "crm.api_tokens.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["crm.core.api.permissions.IsStaffUser"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "crm.core.api.pagination.DefaultCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "crm.core.api.exceptions.json_exception_handler",
    "DEFAULT_METADATA_CLASS": "crm.core.api.metadata.CrmMetadata",
    "DEFAULT_THROTTLE_RATES": {"token": "20/min"},
    # Calls made with an API token: API_TOKEN_RATE_LIMIT per token (429 with Retry-After).
    "DEFAULT_THROTTLE_CLASSES": ["crm.core.api.throttling.ApiTokenRateThrottle"],
    # DRF's throttles read X-Forwarded-For only behind as many proxies as we trust.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CRM API",
    "DESCRIPTION": "REST API of the CRM: every record, filtering, cursor pagination.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Only the CRM API's own URLconf: Wagtail's internal admin API stays out.
    "SERVE_URLCONF": "config.urls_api_schema",
    # /api/schema/ and /api/docs/: signed-in staff only (anonymous 401, portal members 403).
    "SERVE_PERMISSIONS": ["crm.core.api.permissions.IsStaffUser"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The deploy check would walk the tenant URLconf (Wagtail's admin API included); our
    # own test generates the CRM API's schema and fails on any warning instead.
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
    "ENUM_NAME_OVERRIDES": {
        "ActivityKindEnum": "crm.activities.models.ActivityKind",
        "OwnershipChangeKindEnum": "crm.pool.models.OwnershipChangeKind",
        "StaffRoleEnum": "tenants.users.models.Role",
        "AccountTierEnum": "crm.accounts.models.AccountTier",
        "ImportKindEnum": "crm.imports.models.ImportKind",
        "ImportStatusEnum": "crm.imports.models.ImportStatus",
        "QuoteStatusEnum": "crm.quotes.models.QuoteStatus",
        "AssetStatusEnum": "crm.service.models.AssetStatus",
        "ServiceRequestStatusEnum": "crm.service.models.RequestStatus",
        "ExpenseStatusEnum": "crm.expenses.models.ExpenseStatus",
        "ExpenseCategoryEnum": "crm.expenses.models.ExpenseCategory",
        "OrderStatusEnum": "crm.orders.models.OrderStatus",
        "OrderKindEnum": "crm.orders.models.OrderKind",
        "ServiceSeverityEnum": "crm.service.models.Severity",
        "ServiceChannelEnum": "crm.service.models.Channel",
        "WorkLogKindEnum": "crm.service.models.WorkLogKind",
    },
}

# Requests per API token ("<n>/<second|minute|hour|day>"), counted per tenant and token.
API_TOKEN_RATE_LIMIT = env("API_TOKEN_RATE_LIMIT", default="600/min")

# ---------------------------------------------------------------------------------------
# Outbound webhooks (crm.webhooks)
# ---------------------------------------------------------------------------------------
# Loopback, private and link-local targets are refused unless this is on (local and test
# settings turn it on so a receiver on the same machine can be tried).
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", default=False)
# Fernet keys for the signing secrets at rest (first encrypts, all decrypt); empty: derived
# from SECRET_KEY.
WEBHOOKS_SECRET_KEYS = env.list("WEBHOOKS_SECRET_KEYS", default=[])
WEBHOOKS_CONNECT_TIMEOUT = 3
WEBHOOKS_READ_TIMEOUT = 10
WEBHOOKS_RETRY_BASE_SECONDS = 60  # 1, 2, 4, 8 ... minutes
WEBHOOKS_RETRY_MAX_DELAY_SECONDS = 4 * 3600
WEBHOOKS_RETRY_WINDOW_HOURS = 24  # a delivery is retried at least this long
WEBHOOKS_DISABLE_AFTER_HOURS = 24  # an endpoint failing this long is turned off

# ---------------------------------------------------------------------------------------
# CORS (django-cors-headers): no origin is allowed by settings; the inquiry API allows the
# origins each tenant lists in its inquiry settings (portal.inquiries.cors).
# ---------------------------------------------------------------------------------------
CORS_ALLOWED_ORIGINS: list[str] = []
CORS_URLS_REGEX = r"^/portal/api/v1/inquiries/$"
CORS_ALLOW_METHODS = ["OPTIONS", "POST"]
CORS_ALLOW_CREDENTIALS = False
CORS_PREFLIGHT_MAX_AGE = 3600

# ---------------------------------------------------------------------------------------
# Wagtail
# ---------------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "CRM"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default=f"http://{PLATFORM_DOMAIN}")
WAGTAIL_I18N_ENABLED = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# Documents are served by Wagtail's view, which checks collection and page privacy; never by
# their storage path. (Images: renditions are public by design, they appear on the public
# site; originals are not linked from pages.)
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}
