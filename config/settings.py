"""Settings, all read from environment variables (see .env.example and README)."""

import json
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    # Never a public default: without SECRET_KEY a random key is made once per machine and kept in var/ (several
    # machines serving one site must share it: set SECRET_KEY, see README).
    import secrets

    VAR_DIR.mkdir(parents=True, exist_ok=True)
    _key_file = VAR_DIR / "secret_key"
    if not _key_file.exists():
        _key_file.write_text(secrets.token_urlsafe(50))
        _key_file.chmod(0o600)
    SECRET_KEY = _key_file.read_text().strip()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]
THIRD_PARTY_APPS = [
    "guardian",
    "simple_history",
    "import_export",
    "django_celery_beat",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]
LOCAL_APPS = [
    "accounts",
    "children",
    "visits",
    "guardianship",
    "tasks",
    "oversight",
    "dashboards",
    "pairing",
    "api",
    "plans",
    "offline",  # the installable phone app: service worker, manifest, outbox (static/pwa/)
    "approvals",
    "sites",
    "psychology",
    "exchange",  # departments' list submissions matched against the archives (issue 16)
    "bulk",  # bulk actions on lists: hand-over, screening confirmation, transfer, export and print (issue 18)
    "demo",  # the demo data generators (seed_demo), apart from the production apps
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # With read replicas: each request's replica-read state (config/replicas.py), around every other middleware.
    *(["config.replicas.ReplicaMiddleware"] if env_list("DATABASE_REPLICA_URLS", "") else []),
    "accounts.middleware.RequestLogMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.IdleSessionMiddleware",
    "accounts.middleware.ChineseFirstLocaleMiddleware",
    # 400 for a control character (NUL …) in the path, the query or a form field; after the locale, for the page.
    "config.middleware.ControlCharacterMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last: turns a lockout raised during sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "accounts.context_processors.notifications",
            ],
        },
    }
]

# Database: DATABASE_URL (postgres://...) or, unset, a SQLite file under var/.
DATABASE_URL = env_str("DATABASE_URL", "")
# A connection pooler between the app and PostgreSQL: "" (none), "session" or "transaction" (PgBouncer's
# pool_mode). In transaction mode consecutive transactions of one connection may run on different server
# connections, so nothing may outlive a transaction: no server-side cursors, no prepared statements.
DATABASE_POOLER = env_str("DATABASE_POOLER", "").strip().lower()
if DATABASE_POOLER not in {"", "session", "transaction"}:
    raise ImproperlyConfigured(f'DATABASE_POOLER must be "", "session" or "transaction", not {DATABASE_POOLER!r}')
if DATABASE_URL:
    # Persistent connections are checked before reuse, so a restarted PostgreSQL is reconnected without a restart.
    # Behind a pooler they are connections to the pooler (cheap); it lends a server connection per transaction.
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
    # Django's "Transaction pooling and server-side cursors": a WITHOUT HOLD cursor (QuerySet.iterator()) opened
    # outside a transaction would be fetched from on another server connection.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = DATABASE_POOLER == "transaction"
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {"timeout": 20},
        }
    }
# Read replicas (config/replicas.py; README, 只读副本): DATABASE_REPLICA_URLS, comma-separated streaming standbys of
# DATABASE_URL's PostgreSQL. Dashboards, lists, exports, PDFs, the API's GETs and read-only tasks read from one; every
# write, and every read after a write in the same request or task, goes to the primary; a browser that wrote reads
# from the primary for REPLICA_READ_YOUR_WRITES_SECONDS; a replica down or lagging more than REPLICA_MAX_LAG_SECONDS
# (checked at most every REPLICA_CHECK_SECONDS per process) is skipped, the primary serving.
DATABASE_REPLICA_URLS = env_list("DATABASE_REPLICA_URLS", "")
REPLICA_READ_YOUR_WRITES_SECONDS = env_int("REPLICA_READ_YOUR_WRITES_SECONDS", 10)
REPLICA_MAX_LAG_SECONDS = float(env_str("REPLICA_MAX_LAG_SECONDS", "") or 30)
REPLICA_CHECK_SECONDS = float(env_str("REPLICA_CHECK_SECONDS", "") or 5)
if DATABASE_REPLICA_URLS:
    if "postgres" not in DATABASES["default"]["ENGINE"]:
        raise ImproperlyConfigured("DATABASE_REPLICA_URLS needs a PostgreSQL DATABASE_URL (streaming replicas)")
    for _number, _url in enumerate(DATABASE_REPLICA_URLS):
        _replica = dj_database_url.parse(_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True)
        # A replica that does not answer is skipped, quickly.
        _replica.setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
        _replica["DISABLE_SERVER_SIDE_CURSORS"] = DATABASE_POOLER == "transaction"
        _replica["TEST"] = {"MIRROR": "default"}  # the test suite reads its one test database through it
        DATABASES[f"replica_{_number}"] = _replica
    DATABASE_ROUTERS = ["config.replicas.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out account before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.MixedCharactersValidator"},
]

# Sign-in lockout (django-axes, accounts/lockout.py); two limits, each counted within AXES_COOLOFF_MINUTES:
# - AXES_FAILURE_LIMIT failures for one username from one address lock that username from that address only, so a
#   stranger typing wrong passwords cannot lock a director out of her own office;
# - AXES_ADDRESS_FAILURE_LIMIT failures from one address over all usernames (password spraying) pause sign-in from
#   that address for everyone. Much higher, because a township office signs in through one public (NAT) address;
#   0 turns it off.
# Attempts are rows in the database, so every web process and machine sees the same count.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 30)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "accounts.lockout.LockoutHandler"
# Behind nginx the client's address is the X-Real-IP the proxy sets (deploy/nginx), not the proxy's own; without
# BEHIND_TLS_PROXY the socket's address, whatever X-Forwarded-For or X-Real-IP the client sends.
AXES_CLIENT_IP_CALLABLE = "accounts.views.client_ip"
# A success clears that username's failures from that address, not the address's count.
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_SENSITIVE_PARAMETERS = ["password"]

# Chinese first: zh-hans default, English switchable.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]  # dates as 2026-11-29 in both languages (docs/design.md)
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"  # never served directly; uploads go through access-checked views
# Uploads: files under MEDIA_ROOT by default; several web machines need MEDIA_ROOT on shared storage, or an object
# store through FILE_STORAGE_BACKEND (e.g. storages.backends.s3.S3Storage from django-storages) and
# FILE_STORAGE_OPTIONS (JSON). Files are only ever opened through the storage API, never by path.
STORAGES = {
    "default": {
        "BACKEND": env_str("FILE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": json.loads(env_str("FILE_STORAGE_OPTIONS", "") or "{}"),
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
# A current pairing (结对帮扶) with no contact for more than this many days is listed (pairing.selectors). The seeds set
# no number: 30 days is a local choice, matching the monthly contact of 003 §8 / 004 §8; a region sets its own here.
PAIRING_NO_CONTACT_DAYS = env_int("PAIRING_NO_CONTACT_DAYS", 30)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES

# Redis and Celery. Without REDIS_URL the broker is kombu's filesystem transport under var/,
# so the worker and beat of `make run` need no server.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # A task not acknowledged this long after delivery (its worker died) is delivered again.
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
    # config.cache: a Redis outage makes cache reads misses (logged), not error pages; short timeouts.
    CACHES = {
        "default": {
            "BACKEND": "config.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
else:
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("out", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),  # exchange bindings (kombu 5.6+; else ./control)
        "store_processed": False,
    }
    # A file cache, not a per-process one: the web process and the worker share it (job progress, for one).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
# Template fragments that depend only on the code (the menu per role and language): kept per process, so a deploy
# (a restart) never serves the previous version's.
CACHES["fragments"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fragments"}
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_IGNORE_RESULT = True

# Django's database sessions (stock: the hand-prepared reads of earlier versions bought no measurable throughput,
# bench/RESULTS.md, and are gone).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
# Activity keeps a session alive; it is re-saved at most once a minute, not on every request
# (accounts.middleware.IdleSessionMiddleware), so an idle session ends 29–30 minutes after the last request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = min(env_int("SESSION_REFRESH_SECONDS", 60), SESSION_COOKIE_AGE // 2)

# Security; `check --deploy` hardening is switched on by these variables in production (README, .env.example).
# Behind nginx terminating TLS: BEHIND_TLS_PROXY=true trusts the proxy's X-Forwarded-Proto (the header's name can be
# changed with SECURE_PROXY_SSL_HEADER, e.g. HTTP_X_FORWARDED_SSL=on).
_proxy_header = env_str("SECURE_PROXY_SSL_HEADER", "HTTP_X_FORWARDED_PROTO=https")
SECURE_PROXY_SSL_HEADER = tuple(_proxy_header.split("=", 1)) if env_bool("BEHIND_TLS_PROXY") else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SECURE_HSTS_SECONDS > 0)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SECURE_HSTS_SECONDS > 0)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts only from our own static files, never inline. Inline style
# attributes are allowed (progress bars, the admin); nothing is loaded from another server.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@localhost")

# django-guardian: no anonymous user row needed.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# PDFs: a TrueType font with Chinese glyphs (config/pdf.py also looks in Debian's usual places).
PDF_FONT_PATH = env_str("PDF_FONT_PATH", "")

# Page sizes.
LIST_PAGE_SIZE = env_int("LIST_PAGE_SIZE", 50)

# Offline visits on phones (offline/, static/pwa/): pages kept for offline use expire after this many days; a photo
# kept in the outbox is shrunk on the phone to at most this size (larger ones are refused there).
OFFLINE_CACHE_DAYS = env_int("OFFLINE_CACHE_DAYS", 7)
OFFLINE_PHOTO_MAX_BYTES = env_int("OFFLINE_PHOTO_MAX_BYTES", 2 * 1024 * 1024)

# The API (/api/v1/, api/): Django REST Framework; every error in one shape (api.errors); cursor pagination; a
# rate limit per client (ApiClient.rate_per_minute) and API_SESSION_RATE for signed-in users of the phone app.
API_PAGE_SIZE = env_int("API_PAGE_SIZE", 50)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiKeyAuthentication",  # first: its Bearer challenge makes a refusal 401
        "rest_framework.authentication.SessionAuthentication",  # the phone app's session, with CSRF
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ClientRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": env_str("API_SESSION_RATE", "120/min")},
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Cursor",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "api.errors.handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "留守儿童和困境儿童关爱服务 API",
    "DESCRIPTION": "The data-exchange API of the care services for left-behind children and children in difficulty.",
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ArchiveStatusEnum": "children.models.ArchiveStatus",
        "ChildHealthEnum": "children.models.Health",
        "RatingEnum": "visits.models.Rating",
        "ReferralStatusEnum": "guardianship.models.ReferralStatus",
        "AssignmentStatusEnum": "tasks.models.Status",
        "VisitKindEnum": "visits.models.VisitKind",
    },
}

# Imports and exports (children/imports.py, children/exports.py): uploads larger than IMPORT_INLINE_MAX_BYTES are
# checked and imported by a Celery worker with a progress bar; exports longer than EXPORT_MAX_ROWS are refused.
IMPORT_INLINE_MAX_BYTES = env_int("IMPORT_INLINE_MAX_BYTES", 256 * 1024)
EXPORT_MAX_ROWS = env_int("EXPORT_MAX_ROWS", 100_000)

# Structured logs: one JSON object per line on stderr (config/logging.py); one line per request
# (accounts.middleware.RequestLogMiddleware) and per Celery task (config/celery.py), with user ids, never names.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "config.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # The request line of our middleware replaces the dev server's own (which would repeat the query string).
        "django.server": {"level": "WARNING"},
    },
}
