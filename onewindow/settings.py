"""OneWindow settings: one file, read from the environment (see docs/operators-guide.md).

With no environment at all it runs: SQLite (WAL) under ./var, DEBUG off unless asked for,
a development secret key refused in production mode.
"""

import os
from pathlib import Path

import dj_database_url

from onewindow.env import ConfigError, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("ONEWINDOW_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
PRODUCTION = env_bool("ONEWINDOW_PRODUCTION", False)
_DEV_KEY = "onewindow-development-key-not-for-production-use-0123456789"
SECRET_KEY = env_str("SECRET_KEY", _DEV_KEY)
if PRODUCTION and SECRET_KEY == _DEV_KEY:
    raise ConfigError("ONEWINDOW_PRODUCTION=true needs a SECRET_KEY of its own")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "template_partials",
    "ninja",
    "onewindow.accounts",
    "onewindow.serials",
    "onewindow.workdays",
    "onewindow.catalog",
    "onewindow.cases",
    "onewindow.queueing",
    "onewindow.documents",
    "onewindow.notify",
    "onewindow.payments",
    "onewindow.licenses",
    "onewindow.bundles",
    "onewindow.projects",
    "onewindow.ratings",
    "onewindow.hotline",
    "onewindow.market",
    "onewindow.trading",
    "onewindow.supervision",
    "onewindow.stats",
    "onewindow.assessment",
    "onewindow.web",
    "onewindow.ops",
    # After onewindow.web, whose admin/base_site.html (the provisional-calendar warning, the
    # greeting in the case it was given) must shadow Django's own: the first app wins.
    "django.contrib.admin",
]

MIDDLEWARE = [
    # Outermost: any error answer under /api/ (404, 405, 500, another middleware's refusal) in the
    # API's JSON shape (issue 21).
    "onewindow.api.ErrorShapeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "onewindow.accounts.idempotency.IdempotencyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "onewindow.web.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "onewindow.urls"
WSGI_APPLICATION = "onewindow.wsgi.application"

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
                "onewindow.web.context_processors.hall",
            ],
        },
    },
]

# SQLite (WAL) by default so a bare machine runs the hall; PostgreSQL via DATABASE_URL.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'onewindow.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 600))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE: a writing transaction takes the lock at BEGIN, so two writers queue
        # instead of failing with "database is locked" when one upgrades its read lock.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    # One file per test process, so two test runs on one machine never share a database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
    # The open cases' light index INCLUDEs columns for PostgreSQL's index-only scans (decision
    # 34); SQLite builds it without them, as it should: its warning says nothing to act on.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
else:
    # A health check is one more round trip on every request; off by default (a dropped
    # connection then fails one request after a database restart). See the operator's guide.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env_bool("CONN_HEALTH_CHECKS", False)
    # PostgreSQL's JIT compiles the plan of any statement it estimates costly: the roll-up's and the
    # dashboard's scans of a million cases spent 1–3 s compiling each (bench/supervision.py,
    # decision 34), and the hall's other statements are too cheap to reach it. DB_JIT=true restores it.
    if not env_bool("DB_JIT", False):
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = (options.get("options", "") + " -c jit=off").strip()

# fastsql's statements (window intake) run as prepared statements of each PostgreSQL connection:
# parsed and planned once per connection instead of on every request (decision 12). Behind a
# pooler that cannot keep them (PgBouncer in transaction mode) set DB_PREPARED_STATEMENTS=false.
DB_PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", True)
# fastsql (plain SQL, few round trips) for window intake's submit and accept only, the measured
# hot path; off, they too read and write with the ORM — the same checks, the same rows
# (decision 17). `make test` runs the PostgreSQL suite once with it off.
ONEWINDOW_FASTSQL = env_bool("ONEWINDOW_FASTSQL", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:after-login"
LOGOUT_REDIRECT_URL = "web:home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG or env_bool("ONEWINDOW_PLAIN_STATIC", False):
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "onewindow"}}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION

# How long a verified API token is trusted from the in-process cache before the database is
# asked again (ARCHITECTURE.md: a token looked up on every request costs 2/3 of the no-op
# rate). A revoked token is dropped at once in the revoking process, within this many
# seconds in the others.
ONEWINDOW_TOKEN_CACHE_SECONDS = env_int("ONEWINDOW_TOKEN_CACHE_SECONDS", 30)
# How often a process checks whether the working-day calendar changed elsewhere.
ONEWINDOW_CALENDAR_CHECK_SECONDS = env_int("ONEWINDOW_CALENDAR_CHECK_SECONDS", 5)
# How often a process checks whether the catalog changed (guided-search index).
ONEWINDOW_CATALOG_CHECK_SECONDS = env_int("ONEWINDOW_CATALOG_CHECK_SECONDS", 5)
# RULES.md "Supervision": yellow when the remaining working days ≤ max(1, this % of the promised days).
ONEWINDOW_YELLOW_LIGHT_PERCENT = env_int("ONEWINDOW_YELLOW_LIGHT_PERCENT", 20)
# 日汇总: the periodic job recomputes the daily roll-up of this many past days and today (it covers
# art. 32's acceptances back-dated up to 5 working days, across a holiday).
ONEWINDOW_STATS_REFRESH_DAYS = env_int("ONEWINDOW_STATS_REFRESH_DAYS", 14)
# 行政许可法 art. 32: intake must answer within this many working days, or the application counts
# as accepted from the day it was received.
ONEWINDOW_INTAKE_ANSWER_DAYS = env_int("ONEWINDOW_INTAKE_ANSWER_DAYS", 5)
# 行政许可法 art. 42: an extension, approved by the head of the department, of at most this many days.
ONEWINDOW_MAX_EXTENSION_DAYS = env_int("ONEWINDOW_MAX_EXTENSION_DAYS", 10)
# 告知承诺制 (RULES.md): the department checks (核查) a commitment approval within this many working
# days of it — 20, about a calendar month; local rules differ, so each hall sets its own
# (docs/decisions/0016-written-answers-and-checks.md).
ONEWINDOW_COMMITMENT_CHECK_DAYS = env_int("ONEWINDOW_COMMITMENT_CHECK_DAYS", 20)
# Provisional calendar years generated ahead of the official data (RULES.md: a year the
# calendar does not know is an error, never a silent guess — these are marked provisional).
ONEWINDOW_PROVISIONAL_YEARS_AHEAD = env_int("ONEWINDOW_PROVISIONAL_YEARS_AHEAD", 3)
# The hall's public address: QR codes on notices, licenses and tickets and the links in SMS point
# below it (onewindow/links.py). Outside a demo or DEBUG a loopback or unset address is an error
# at start (system check onewindow.E001; docs/decisions/0027-public-url-and-notice-numbers.md).
ONEWINDOW_PUBLIC_URL = env_str("ONEWINDOW_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# Open311 GeoReport v2 (decision 41): the region (12-digit code) of the work orders POSTed there;
# empty: the first city (市) of the region table.
ONEWINDOW_OPEN311_REGION = env_str("ONEWINDOW_OPEN311_REGION", "")
# Online sign-up (注册, issue 15 item 4; decision 24): the SMS code's life and wrong tries, and the
# codes sent per identifier (ID number or credit code) and per address in one day.
ONEWINDOW_SIGNUP_CODE_MINUTES = env_int("ONEWINDOW_SIGNUP_CODE_MINUTES", 10)
ONEWINDOW_SIGNUP_CODE_ATTEMPTS = env_int("ONEWINDOW_SIGNUP_CODE_ATTEMPTS", 5)
ONEWINDOW_SIGNUP_CODES_PER_ID_DAY = env_int("ONEWINDOW_SIGNUP_CODES_PER_ID_DAY", 5)
ONEWINDOW_SIGNUP_CODES_PER_IP_DAY = env_int("ONEWINDOW_SIGNUP_CODES_PER_IP_DAY", 20)
ONEWINDOW_SIGNUP_RESEND_SECONDS = env_int("ONEWINDOW_SIGNUP_RESEND_SECONDS", 60)
# Public resource trading: the key that wraps every project's bid key (base64 of 32 random bytes,
# e.g. `python -c "import os,base64;print(base64.b64encode(os.urandom(32)).decode())"`). Keep it
# outside the database and its backups: without it a dump shows only ciphertext (decision 44).
# Unset in development: derived from SECRET_KEY. Changing it makes every sealed bid unreadable.
ONEWINDOW_TRADING_KEY = env_str("ONEWINDOW_TRADING_KEY", "")
if ONEWINDOW_TRADING_KEY:
    import base64 as _b64
    import binascii as _binascii

    try:
        _trading_key_ok = len(_b64.b64decode(ONEWINDOW_TRADING_KEY, validate=True)) == 32
    except (_binascii.Error, ValueError):
        _trading_key_ok = False
    if not _trading_key_ok:
        raise ConfigError("ONEWINDOW_TRADING_KEY must be base64 of exactly 32 bytes")
elif PRODUCTION:
    raise ConfigError("ONEWINDOW_PRODUCTION=true needs ONEWINDOW_TRADING_KEY (the sealed bids' key)")
# OCDS open data: the ocid prefix ("ocds-" and 6 characters) registered with the Open Contracting
# Partnership for this publisher; the default is a placeholder for a demo hall.
ONEWINDOW_OCDS_PREFIX = env_str("ONEWINDOW_OCDS_PREFIX", "ocds-onewdw")
# A demo hall (`make run` sets it): a loopback public address is then allowed.
ONEWINDOW_DEMO = env_bool("ONEWINDOW_DEMO", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# ---- module settings (one block per module, appended below) ----------------------------------

# notify: SMS to applicants — an outbox delivered by `manage.py worker` (operator's guide "Messages").
# Backend: console (the worker's log), file (one JSON line per message) or http (the SMS gateway).
ONEWINDOW_SMS_BACKEND = env_str("ONEWINDOW_SMS_BACKEND", "console")
if ONEWINDOW_SMS_BACKEND not in ("console", "file", "http"):
    raise ConfigError(f"ONEWINDOW_SMS_BACKEND={ONEWINDOW_SMS_BACKEND!r}: expected console, file or http")
# The registered signature carriers require before every text.
ONEWINDOW_SMS_SIGNATURE = env_str("ONEWINDOW_SMS_SIGNATURE", "【政务服务中心】")
ONEWINDOW_SMS_FILE = env_str("ONEWINDOW_SMS_FILE", str(VAR_DIR / "sms.jsonl"))
# The gateway: POST {to, text, idempotency_key} as JSON with the key in ONEWINDOW_SMS_KEY_HEADER.
ONEWINDOW_SMS_URL = env_str("ONEWINDOW_SMS_URL", "")
if ONEWINDOW_SMS_BACKEND == "http" and not ONEWINDOW_SMS_URL:
    raise ConfigError("ONEWINDOW_SMS_BACKEND=http needs ONEWINDOW_SMS_URL")
ONEWINDOW_SMS_KEY = env_str("ONEWINDOW_SMS_KEY", "")
ONEWINDOW_SMS_KEY_HEADER = env_str("ONEWINDOW_SMS_KEY_HEADER", "X-Api-Key")
ONEWINDOW_SMS_CONNECT_TIMEOUT = env_int("ONEWINDOW_SMS_CONNECT_TIMEOUT", 5)
ONEWINDOW_SMS_READ_TIMEOUT = env_int("ONEWINDOW_SMS_READ_TIMEOUT", 10)
# After a 5xx, 408, 429, timeout or connection error: retry after BASE seconds, doubling up to
# CAP (with jitter); dead (shown to hall management, who may retry it) after MAX_ATTEMPTS.
ONEWINDOW_SMS_MAX_ATTEMPTS = env_int("ONEWINDOW_SMS_MAX_ATTEMPTS", 12)
ONEWINDOW_SMS_RETRY_BASE_SECONDS = env_int("ONEWINDOW_SMS_RETRY_BASE_SECONDS", 30)
ONEWINDOW_SMS_RETRY_CAP_SECONDS = env_int("ONEWINDOW_SMS_RETRY_CAP_SECONDS", 3600)
# The worker: messages claimed per batch; the claim's lease (a dead worker's claims are taken
# again after it); the idle poll; how often it runs the periodic jobs (ops/periodic.py).
ONEWINDOW_WORKER_BATCH = env_int("ONEWINDOW_WORKER_BATCH", 20)
ONEWINDOW_WORKER_LEASE_SECONDS = env_int("ONEWINDOW_WORKER_LEASE_SECONDS", 300)
ONEWINDOW_WORKER_POLL_SECONDS = env_int("ONEWINDOW_WORKER_POLL_SECONDS", 5)
ONEWINDOW_WORKER_JOBS_SECONDS = env_int("ONEWINDOW_WORKER_JOBS_SECONDS", 60)
# Appointment reminders (the day before) go out from this hour, hall time, on.
ONEWINDOW_APPOINTMENT_REMINDER_HOUR = env_int("ONEWINDOW_APPOINTMENT_REMINDER_HOUR", 16)
# 绿色通道: a real-name ticket of a person this old or older (by the ID number's birth date,
# on the hall's today) is an 老年人 priority ticket.
ONEWINDOW_ELDERLY_AGE = env_int("ONEWINDOW_ELDERLY_AGE", 60)

# licenses and payments: e-licenses (validity, art. 44 delivery) and fees (统一收费).
# Years a license is valid from its issue when the catalog names none.
ONEWINDOW_LICENSE_VALID_YEARS = env_int("ONEWINDOW_LICENSE_VALID_YEARS", 5)
# 非税收入 is paid into the finance bureau's collection account (收支两条线), not a department's
# own: one payee per city, copied onto every notice when it is issued.
ONEWINDOW_PAYEE_NAME = env_str("ONEWINDOW_PAYEE_NAME", "德州市财政局非税收入汇缴结算户")
ONEWINDOW_PAYEE_BANK = env_str("ONEWINDOW_PAYEE_BANK", "中国工商银行德州分行营业部")
ONEWINDOW_PAYEE_ACCOUNT = env_str("ONEWINDOW_PAYEE_ACCOUNT", "1612002109024900001")
# The bank's callback: X-Signature = hex HMAC-SHA256 of the body under this secret. Empty (the
# default): every callback is refused and recorded, until the bank's secret is configured.
ONEWINDOW_BANK_CALLBACK_SECRET = env_str("ONEWINDOW_BANK_CALLBACK_SECRET", "")
# Replay window: a callback whose paid_at is older than this is refused (bank_ref is unique too).
ONEWINDOW_BANK_CALLBACK_MAX_AGE_SECONDS = env_int("ONEWINDOW_BANK_CALLBACK_MAX_AGE_SECONDS", 86400)
# Paid money is deposited into the treasury (入库) within this many hours (seed: 24 小时内入库).
ONEWINDOW_DEPOSIT_HOURS = env_int("ONEWINDOW_DEPOSIT_HOURS", 24)
# 网上缴费 (issue 15 item 3): the payment provider a citizen's 去缴费 hands the notice to
# (payments/providers.py). "" (the default without DEBUG): no online payment, the bank window
# only; "simulator": the demo's own provider page under /dev/pay/ — never in production. Its
# signed callback is the bank's (same endpoint, same secret, decision 23).
ONEWINDOW_PAYMENT_PROVIDER = env_str("ONEWINDOW_PAYMENT_PROVIDER", "simulator" if DEBUG else "")
if ONEWINDOW_PAYMENT_PROVIDER not in ("", "simulator"):
    raise ConfigError(
        f"ONEWINDOW_PAYMENT_PROVIDER={ONEWINDOW_PAYMENT_PROVIDER!r}: expected simulator or empty"
    )
# The simulator only where the issue allows it: DEBUG or the demo hall (`make run` sets
# ONEWINDOW_DEMO) — the same test of "production" as the public address (onewindow/links.py).
if ONEWINDOW_PAYMENT_PROVIDER == "simulator" and (PRODUCTION or not (DEBUG or ONEWINDOW_DEMO)):
    raise ConfigError(
        "ONEWINDOW_PAYMENT_PROVIDER=simulator is a demo: it needs DEBUG=true or ONEWINDOW_DEMO=true "
        "and is refused with ONEWINDOW_PRODUCTION=true"
    )
if ONEWINDOW_PAYMENT_PROVIDER == "simulator" and not ONEWINDOW_BANK_CALLBACK_SECRET:
    # The simulator signs its callbacks like a bank; with no bank configured (a demo) it gets a
    # secret of its own, known to this process only.
    ONEWINDOW_BANK_CALLBACK_SECRET = "payment-simulator-" + SECRET_KEY[:24]
