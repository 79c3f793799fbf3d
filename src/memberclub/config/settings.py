"""Django settings: everything deployment-specific comes from the environment."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(os.environ.get("MEMBERCLUB_HOME", Path.cwd()))
VAR_DIR = BASE_DIR / "var"


def _flag(name: str, default: bool = False) -> bool:
    """Read a boolean from the environment (1/true/yes/on)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(name: str, default: str = "") -> list[str]:
    """Read a comma- or space-separated list from the environment."""
    return [item for item in os.environ.get(name, default).replace(",", " ").split() if item]


DEBUG = _flag("DEBUG")
# A development key keeps `make demo` and the tests working; production sets SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY", "memberclub-development-key-not-for-production-use-0000")
ALLOWED_HOSTS = _list("ALLOWED_HOSTS", "127.0.0.1 localhost")
TRUSTED_PROXIES = _list("TRUSTED_PROXIES")
STORAGE_URL = os.environ.get("STORAGE_URL", f"file://{VAR_DIR / 'storage'}")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    # django-ninja's own copy of Swagger UI and ReDoc, served as static files (WhiteNoise), so
    # /api/v1/docs works offline and behind firewalls instead of loading them from a CDN.
    "ninja",
    "csp",
    "memberclub.programs",
    "memberclub.contracts",
    "memberclub.members",
    "memberclub.ledger",
    "memberclub.usage",
    "memberclub.rewards",
    "memberclub.jobs",
    "memberclub.reports",
    "memberclub.fulfilment",
    "memberclub.access",
    "memberclub.storage",
    "memberclub.notifications",
    "memberclub.membership",
    "memberclub.portal",
    "memberclub.console",
    "memberclub.api",
    "memberclub.exchange",
    "memberclub.cli",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "memberclub.api.ratelimit.ApiRateLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Japanese unless this browser chose English (Accept-Language is not guessed from).
    "memberclub.portal.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it sees a view's database error before any other middleware.
    "memberclub.outage.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "memberclub.config.urls"
CSRF_FAILURE_VIEW = "memberclub.portal.views.errors.csrf_failure"
WSGI_APPLICATION = "memberclub.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "memberclub.portal.context_processors.portal",
                "memberclub.portal.program_end.program_end_banner",
            ],
        },
    },
]


def _database() -> dict[str, object]:
    """Build the default database from DATABASE_URL, tuning SQLite for concurrent use."""
    default_url = f"sqlite:///{VAR_DIR / 'memberclub.sqlite3'}"
    config: dict[str, object] = dict(
        dj_database_url.parse(
            os.environ.get("DATABASE_URL") or default_url,
            # Keep each worker thread's connection open (0: a new one per request). Opening a
            # PostgreSQL connection costs more than a typical API request; a connection found
            # broken (a database restart) is noticed and replaced before the request uses it.
            conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "600")),
            conn_health_checks=_flag("DB_CONN_HEALTH_CHECKS", default=True),
        )
    )
    if config["ENGINE"] == "django.db.backends.postgresql":
        # The hot paths' fixed statements are prepared on their fifth run on a connection
        # (memberclub.ledger.rawsql); the ORM's queries are never prepared. Behind PgBouncer
        # in transaction mode use 1.21 or later (max_prepared_statements), or turn this off.
        config["OPTIONS"] = {
            "prepare_threshold": 5 if _flag("DB_PREPARED_STATEMENTS", default=True) else None,
            # A database that does not answer a connection is a 503 soon, not a hung request.
            "connect_timeout": int(os.environ.get("DB_CONNECT_TIMEOUT", "5")),
        }
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            # Take the write lock at BEGIN so two writers never both read and then both write.
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=30000; PRAGMA synchronous=NORMAL;"
            ),
        }
        # SQLite creates the file but not its folder: a fresh checkout has no var/ yet.
        Path(str(config["NAME"])).parent.mkdir(parents=True, exist_ok=True)
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        # A file, not memory, so that tests with several threads share one database.
        name = Path(str(config["NAME"])).stem
        config["TEST"] = {"NAME": str(VAR_DIR / f"test-{name}.sqlite3")}
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Catalog pictures shipped beside the catalog files, served as /static/catalog/<file>.
CATALOG_IMAGES = BASE_DIR / "programs" / "images"
STATICFILES_DIRS = [("catalog", CATALOG_IMAGES)] if CATALOG_IMAGES.is_dir() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

EMAIL_URL = os.environ.get("EMAIL_URL", "console://")
if EMAIL_URL.startswith("smtp://"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    _smtp = EMAIL_URL.removeprefix("smtp://")
    EMAIL_HOST, _, _port = _smtp.partition(":")
    EMAIL_PORT = int(_port or 25)
elif EMAIL_URL.startswith("locmem://"):
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "club@memberclub.example")

EMAIL_TIMEOUT = 20

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A worker renews its lease every quarter of this; a task whose worker stopped renewing for this
# long is run again (memberclub.cli.lease), and failed after this many workers died running it.
WORKER_LEASE_SECONDS = float(os.environ.get("WORKER_LEASE_SECONDS", "60"))
WORKER_MAX_CLAIMS = int(os.environ.get("WORKER_MAX_CLAIMS", "5"))

LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:top"
SESSION_COOKIE_HTTPONLY = True
# Production (DEBUG=0) is HTTPS only unless INSECURE_HTTP=1 says this is a plain-HTTP test setup
# (`check --deploy` then warns, memberclub.deploy_checks); each switch can still be set alone.
INSECURE_HTTP = _flag("INSECURE_HTTP")
_HTTPS = not DEBUG and not INSECURE_HTTP
SESSION_COOKIE_SECURE = _flag("SECURE_COOKIES", default=_HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Behind a TLS-terminating proxy listed in TRUSTED_PROXIES, its X-Forwarded-Proto is believed.
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = _flag("SECURE_SSL_REDIRECT", default=_HTTPS)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if _HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=_HTTPS)
SECURE_HSTS_PRELOAD = _flag("SECURE_HSTS_PRELOAD", default=_HTTPS)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# No script but the site's own files; styles may be inline (the console's admin pages and the
# reports' SVG charts carry style attributes), nothing may frame the site or post elsewhere.
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
# No page of the club needs any of these browser features.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "browsing-topics")
}

# Failed login, access-key and auth-key attempts allowed per ID and per client IP in the window.
ATTEMPT_LIMIT_PER_ID = int(os.environ.get("ATTEMPT_LIMIT_PER_ID", "5"))
ATTEMPT_LIMIT_PER_IP = int(os.environ.get("ATTEMPT_LIMIT_PER_IP", "50"))
ATTEMPT_WINDOW_MINUTES = int(os.environ.get("ATTEMPT_WINDOW_MINUTES", "15"))

# API requests allowed per window ("N/second|minute|hour"), counted in API_RATE_LIMIT_STORAGE:
# memory:// (each process its own counts: the demo, one server) or redis://host:6379/0.
API_RATE_LIMITS = _flag("API_RATE_LIMITS", default=True)
API_RATE_LIMIT_STORAGE = os.environ.get("API_RATE_LIMIT_STORAGE", "memory://")
API_RATE_LIMIT_PER_TOKEN = os.environ.get("API_RATE_LIMIT_PER_TOKEN", "120/minute")
API_RATE_LIMIT_PER_KEY = os.environ.get("API_RATE_LIMIT_PER_KEY", "1200/minute")
API_RATE_LIMIT_PER_IP = os.environ.get("API_RATE_LIMIT_PER_IP", "600/minute")

LOCALE_PATHS = [Path(__file__).resolve().parent.parent / "portal" / "locale"]
# The demo (memberclub demo) serves /dev/outbox with the mail its local SMTP sink received.
DEMO_MODE = _flag("MEMBERCLUB_DEMO")
DEMO_OUTBOX_DIR = os.environ.get("MEMBERCLUB_OUTBOX", str(VAR_DIR / "demo" / "outbox"))
# The Japanese font of the auth-key letters (Debian: fonts-ipaexfont-gothic).
LETTER_FONT = os.environ.get("LETTER_FONT", "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# The portal's address as members reach it, for links in the club's bulk mail (SPEC §8).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Club notices a worker claims and sends over one SMTP connection at a time.
NOTICE_MAIL_BATCH = int(os.environ.get("NOTICE_MAIL_BATCH", "200"))
