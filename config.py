"""Configuration classes; the only place environment variables are read."""

import os
from datetime import timedelta
from pathlib import Path

INSTANCE_DIR = Path(__file__).resolve().parent / "instance"


def _database_url(default_file: str) -> str:
    url = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / default_file}")
    # Accept the URL form most hosting platforms hand out and use the psycopg 3 driver.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _flag(name: str, default: bool) -> bool:
    """A yes/no setting from the environment; anything unrecognised is an error."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise RuntimeError(f"{name} must be 1 or 0 (or true/false, yes/no, on/off), not {value!r}.")


def _engine_options() -> dict:
    """SQLAlchemy engine options; the PostgreSQL pool is sized from the environment.

    Each app server process holds up to DB_POOL_SIZE + DB_MAX_OVERFLOW connections, so the
    total over every worker of every server must stay under PostgreSQL's max_connections.
    """
    options: dict = {}
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql")):
        # Connections are pinged by registry/database.py, and only after being idle.
        options.update(
            pool_size=int(os.environ.get("DB_POOL_SIZE", "5")),
            max_overflow=int(os.environ.get("DB_MAX_OVERFLOW", "5")),
            pool_timeout=float(os.environ.get("DB_POOL_TIMEOUT", "10")),
            pool_recycle=int(os.environ.get("DB_POOL_RECYCLE", "1800")),
        )
    return options


class Config:
    """Settings shared by every environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY")
    SUBJECT_KEY = os.environ.get("SUBJECT_KEY")
    SQLALCHEMY_DATABASE_URI = _database_url("registry.sqlite3")
    SQLALCHEMY_ENGINE_OPTIONS: dict = _engine_options()
    API_TITLE = "Information Sharing Registry"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "docs"
    OPENAPI_SWAGGER_UI_URL = "/api/v1/docs-assets/"
    #: Agencies, agency pairs and tokens each process keeps, of each (registry/fact_cache.py);
    #: a pair's agreements take ~20 KB at the generator's density (docs/performance.md).
    FACT_CACHE_SIZE = int(os.environ.get("FACT_CACHE_SIZE", "5000"))
    #: Serving processes checkpoint a SQLite write-ahead log this often (0: only SQLite's own
    #: checkpoints, inside commits); see registry/sqlite_checkpoint.py.
    SQLITE_CHECKPOINT_SECONDS = float(os.environ.get("SQLITE_CHECKPOINT_SECONDS", "0.1"))
    #: PostgreSQL only: checks commit without waiting for the disk, so a database crash can
    #: lose the last moments' checks (registry/async_commit.py). Off: every commit waits.
    ASYNC_CHECK_COMMIT = _flag("ASYNC_CHECK_COMMIT", default=False)
    #: PostgreSQL: ping a pooled connection before use (DB_POOL_PRE_PING, on by default) when
    #: it has been idle this long (seconds; 0 pings before every use); see registry/database.py.
    DB_POOL_PRE_PING = _flag("DB_POOL_PRE_PING", default=True)
    DB_POOL_PING_AFTER_IDLE = float(os.environ.get("DB_POOL_PING_AFTER_IDLE", "10"))
    #: Bearer tokens stop working after this long.
    TOKEN_LIFETIME = timedelta(hours=int(os.environ.get("TOKEN_LIFETIME_HOURS", "12")))
    #: argon2id parameters (argon2-cffi defaults: RFC 9106 "low memory" profile).
    PASSWORD_HASH_PARAMS = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}
    #: Several app servers must share their counters: RATELIMIT_STORAGE_URI=redis://host:6379
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    #: Failed sign-ins allowed per client address.
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    MAX_BATCH_CHECKS = 1000
    TIMEZONE = "Europe/London"
    PRODUCTION = False


class ProductionConfig(Config):
    """The default: refuses to start without its keys."""

    PRODUCTION = True

    @classmethod
    def validate(cls) -> None:
        missing = [key for key in ("SECRET_KEY", "SUBJECT_KEY") if not getattr(cls, key)]
        if missing:
            raise RuntimeError(
                "The production configuration needs " + " and ".join(missing) + " to be set."
            )
        if cls.SECRET_KEY == cls.SUBJECT_KEY:
            raise RuntimeError("SUBJECT_KEY must differ from SECRET_KEY.")


class DevelopmentConfig(Config):
    """For `make run` on a laptop: fixed demo keys, plain-HTTP cookies."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "development-secret-key-not-for-production")
    SUBJECT_KEY = os.environ.get("SUBJECT_KEY", "development-subject-key-not-for-production")
    SQLALCHEMY_DATABASE_URI = _database_url("registry-dev.sqlite3")
    SESSION_COOKIE_SECURE = False


class TestingConfig(Config):
    """For the test suite: cheap password hashing, no rate limits unless a test asks."""

    TESTING = True
    SECRET_KEY = "testing-secret-key"  # noqa: S105 - test-only key
    SUBJECT_KEY = "testing-subject-key"
    SQLALCHEMY_DATABASE_URI = _database_url("registry-test.sqlite3")
    PASSWORD_HASH_PARAMS = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
    RATELIMIT_ENABLED = False
    SESSION_COOKIE_SECURE = False
    WTF_CSRF_ENABLED = False


CONFIGS = {
    "production": ProductionConfig,
    "development": DevelopmentConfig,
    "testing": TestingConfig,
}


def config_from_environment() -> type[Config]:
    """Pick the configuration named by REGISTRY_CONFIG (default: production)."""
    name = os.environ.get("REGISTRY_CONFIG", "production")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(
            f"REGISTRY_CONFIG must be one of {', '.join(CONFIGS)}, not {name!r}."
        ) from None
