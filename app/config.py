"""Settings: read once from the environment, with the embedded defaults the README describes.

Names follow what the ecosystem already uses (Shopify CLI, Heroku-style URLs). Production mode
refuses to start without its secrets instead of inventing them; development mode generates them
once and keeps them in the instance folder so encrypted rows stay readable across restarts.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

ENVIRONMENTS = ("development", "testing", "production")

# Keep these two in step with shopify.app.toml ([access_scopes] and [webhooks] api_version).
DEFAULT_SCOPES = (
    "read_products,read_orders,write_orders,write_merchant_managed_fulfillment_orders,"
    "write_cart_transforms"
)
SHOPIFY_API_VERSION = "2026-07"

# Settings whose values are secrets: required in production, never logged.
SECRET_SETTINGS = (
    "SECRET_KEY",
    "ENCRYPTION_KEYS",
    "SHOPIFY_API_SECRET",
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "OPENAI_API_KEY",
    "AWS_SECRET_ACCESS_KEY",
    "SMTP_PASSWORD",
    "METRICS_TOKEN",
)
REQUIRED_IN_PRODUCTION = ("SECRET_KEY", "ENCRYPTION_KEYS")

# Image generation (app/ai). The model is configuration because OpenAI retires models often.
AI_PROVIDERS = ("local", "openai")
AI_QUALITIES = ("low", "medium", "high", "auto")
DEFAULT_OPENAI_IMAGE_MODEL = "gpt-image-2.5-flare"


class ConfigError(RuntimeError):
    """A setting is missing or malformed; raised at start-up, before anything is served."""


def _env_int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None


def _env_float(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None


_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _env_bool(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (environ.get(name) or "").strip().lower()
    if raw == "":
        return default
    if raw in _TRUE or raw in _FALSE:
        return raw in _TRUE
    raise ConfigError(f"{name} must be true or false, got {environ.get(name)!r}")


def _env_choice(
    environ: Mapping[str, str], name: str, choices: tuple[str, ...], default: str | None
) -> str | None:
    raw = (environ.get(name) or "").strip().lower()
    if raw == "":
        return default
    if raw not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}; got {environ.get(name)!r}")
    return raw


def _database_url(raw: str | None, instance_path: Path) -> str:
    if not raw:
        return f"sqlite:///{instance_path / 'luneo.sqlite3'}"
    # Heroku-style and libpq URLs mean PostgreSQL through psycopg 3, the driver we ship.
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix) :]
    return raw


# Where a running ``luneo dev`` records how to reach its Shopify stand-in (see dev_standin).
DEV_STANDIN_FILE = "dev-standin.json"
DEV_STANDIN_VARIABLES = (
    "SHOPIFY_SHOP_ORIGIN",
    "SHOPIFY_API_KEY",
    "SHOPIFY_API_SECRET",
    "SHOPIFY_APP_URL",
)


def dev_standin(instance_path: Path) -> dict[str, str]:
    """The variables a running ``luneo dev`` recorded for its Shopify stand-in (development).

    So ``luneo sync products --shop …`` in another terminal reaches the same demo store; the
    real environment wins over the record, and ``luneo dev`` removes it when it stops.
    """
    path = instance_path / DEV_STANDIN_FILE
    try:
        recorded = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(recorded, dict):
        return {}
    return {k: str(v) for k, v in recorded.items() if k in DEV_STANDIN_VARIABLES}


def _queue_list(raw: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    items = raw.split(",") if isinstance(raw, str) else raw
    return tuple(name.strip() for name in items if name.strip())


def from_environment(environ: Mapping[str, str], instance_path: Path) -> dict[str, Any]:
    """Every setting Luneo reads, from ``environ``; the single place env vars are parsed."""
    env = environ.get("LUNEO_ENV", "production")
    if env == "development":
        environ = {**dev_standin(instance_path), **environ}
    return {
        "ENV": env,
        "SECRET_KEY": environ.get("SECRET_KEY"),
        "ENCRYPTION_KEYS": environ.get("LUNEO_ENCRYPTION_KEYS") or environ.get("ENCRYPTION_KEY"),
        "SQLALCHEMY_DATABASE_URI": _database_url(environ.get("DATABASE_URL"), instance_path),
        "REDIS_URL": environ.get("REDIS_URL") or None,
        "STORAGE_URL": environ.get("STORAGE_URL") or str(instance_path / "files"),
        "S3_ENDPOINT_URL": environ.get("S3_ENDPOINT_URL") or environ.get("AWS_ENDPOINT_URL"),
        "S3_REGION": environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or "us-east-1",
        "AWS_ACCESS_KEY_ID": environ.get("AWS_ACCESS_KEY_ID"),
        "AWS_SECRET_ACCESS_KEY": environ.get("AWS_SECRET_ACCESS_KEY"),
        "DOWNLOAD_URL_TTL": _env_int(environ, "LUNEO_DOWNLOAD_URL_TTL", 3600),
        # Reverse proxies of Luneo's own in front of it (a load balancer: 1); their
        # X-Forwarded-For/-Proto are believed, nothing further left is.
        "TRUSTED_PROXY_HOPS": _env_int(environ, "LUNEO_TRUSTED_PROXY_HOPS", 0),
        "SHOPIFY_API_KEY": environ.get("SHOPIFY_API_KEY"),
        "SHOPIFY_API_SECRET": environ.get("SHOPIFY_API_SECRET"),
        "SHOPIFY_APP_URL": environ.get("SHOPIFY_APP_URL") or environ.get("HOST"),
        # Luneo's public URL for everything not Shopify's (WooCommerce callbacks, partner links).
        "APP_URL": environ.get("APP_URL") or environ.get("SHOPIFY_APP_URL") or environ.get("HOST"),
        "SCOPES": environ.get("SCOPES", DEFAULT_SCOPES),
        "SHOPIFY_API_VERSION": environ.get("SHOPIFY_API_VERSION", SHOPIFY_API_VERSION),
        "SHOPIFY_SHOP_ORIGIN": environ.get("SHOPIFY_SHOP_ORIGIN", "https://{shop}"),
        # Attempts per call to a store's API (throttling and 5xx are retried with back-off).
        "SHOPIFY_MAX_ATTEMPTS": _env_int(environ, "LUNEO_SHOPIFY_MAX_ATTEMPTS", 6),
        "WOOCOMMERCE_MAX_ATTEMPTS": _env_int(environ, "LUNEO_WOOCOMMERCE_MAX_ATTEMPTS", 5),
        # Requests in flight at once to one WooCommerce store during a sync (variation lists are
        # fetched in parallel); most WordPress hosts serve 4-8 PHP workers per site.
        "WOO_CONCURRENCY": _env_int(environ, "LUNEO_WOO_CONCURRENCY", 4),
        # Image generation. AI_PROVIDER unset (None): OpenAI when OPENAI_API_KEY is set, else the
        # local provider; set, it is followed with no fallback (app/ai/providers.py).
        "AI_PROVIDER": _env_choice(environ, "AI_PROVIDER", AI_PROVIDERS, None),
        "OPENAI_API_KEY": environ.get("OPENAI_API_KEY") or None,
        # An OpenAI-compatible endpoint (a gateway, a simulation); None: OpenAI's own.
        "OPENAI_BASE_URL": environ.get("OPENAI_BASE_URL") or None,
        "OPENAI_ORGANIZATION": environ.get("OPENAI_ORGANIZATION") or None,
        "OPENAI_IMAGE_MODEL": (environ.get("OPENAI_IMAGE_MODEL") or "").strip()
        or DEFAULT_OPENAI_IMAGE_MODEL,
        # Seconds one request to the image API may take.
        "OPENAI_TIMEOUT": _env_float(environ, "OPENAI_TIMEOUT", 120.0),
        "AI_IMAGE_QUALITY": _env_choice(environ, "AI_IMAGE_QUALITY", AI_QUALITIES, "medium"),
        "AI_TRANSPARENT_BACKGROUND": _env_bool(environ, "AI_TRANSPARENT_BACKGROUND", False),
        # Generations per shopper per minute and per hour, per store per minute (429 past one).
        "AI_RATE_LIMIT_PER_MINUTE": _env_int(environ, "AI_RATE_LIMIT_PER_MINUTE", 12),
        "AI_RATE_LIMIT_PER_HOUR": _env_int(environ, "AI_RATE_LIMIT_PER_HOUR", 60),
        "AI_SHOP_RATE_LIMIT_PER_MINUTE": _env_int(environ, "AI_SHOP_RATE_LIMIT_PER_MINUTE", 120),
        # Attempts at the provider per image, and the back-off between them (seconds).
        "AI_RETRY_ATTEMPTS": _env_int(environ, "AI_RETRY_ATTEMPTS", 4),
        "AI_RETRY_BASE_DELAY": _env_float(environ, "AI_RETRY_BASE_DELAY", 2.0),
        "AI_RETRY_MAX_WAIT": _env_float(environ, "AI_RETRY_MAX_WAIT", 30.0),
        # Seconds after which an unfinished generation is failed (the shopper may try again).
        "AI_DEADLINE_SECONDS": _env_int(environ, "AI_DEADLINE_SECONDS", 600),
        "STRIPE_SECRET_KEY": environ.get("STRIPE_SECRET_KEY"),
        "STRIPE_WEBHOOK_SECRET": environ.get("STRIPE_WEBHOOK_SECRET"),
        # Where the Stripe SDK sends requests (a local simulation in tests and staging).
        "STRIPE_API_BASE": environ.get("STRIPE_API_BASE") or None,
        "STRIPE_WEBHOOK_TOLERANCE": _env_int(environ, "STRIPE_WEBHOOK_TOLERANCE", 300),
        # Days a shop keeps its plan after a failed payment, before the free plan's limits.
        "BILLING_GRACE_DAYS": _env_int(environ, "LUNEO_BILLING_GRACE_DAYS", 7),
        # Test charges (no money moves): always for development stores, and outside production.
        "BILLING_TEST_CHARGES": _env_bool(
            environ, "LUNEO_BILLING_TEST_CHARGES", env != "production"
        ),
        "LOG_LEVEL": environ.get("LOG_LEVEL", "INFO"),
        "LOG_FORMAT": environ.get("LOG_FORMAT") or ("json" if env == "production" else "text"),
        "WORKER_MAINTENANCE_INTERVAL": _env_int(environ, "LUNEO_WORKER_MAINTENANCE_INTERVAL", 30),
        "WORKER_MONITORING_INTERVAL": _env_int(environ, "LUNEO_WORKER_MONITORING_INTERVAL", 10),
        # Queues whose jobs a worker runs in its own process, no fork (jobs/worker.py); empty:
        # every job gets a forked work-horse.
        "WORKER_IN_PROCESS_QUEUES": _queue_list(
            environ.get("LUNEO_WORKER_IN_PROCESS_QUEUES", "default")
        ),
        "MAX_CONTENT_LENGTH": _env_int(environ, "LUNEO_MAX_UPLOAD_BYTES", 25 * 1024 * 1024),
        # Account e-mails: "smtp" (production default) or "console" (development and tests).
        "MAIL_BACKEND": environ.get("MAIL_BACKEND") or None,
        # "queue" (the default with smtp): a worker sends each e-mail, with retries; "inline"
        # (the default with console): sent inside the request, for a setup without workers.
        "MAIL_DELIVERY": environ.get("MAIL_DELIVERY") or None,
        "MAIL_FROM": environ.get("MAIL_FROM") or "Luneo <no-reply@luneo.app>",
        "SMTP_HOST": environ.get("SMTP_HOST") or "localhost",
        "SMTP_PORT": _env_int(environ, "SMTP_PORT", 587),
        "SMTP_USERNAME": environ.get("SMTP_USERNAME") or None,
        "SMTP_PASSWORD": environ.get("SMTP_PASSWORD") or None,
        "SMTP_SECURITY": environ.get("SMTP_SECURITY") or "starttls",
        "SMTP_TIMEOUT": _env_int(environ, "SMTP_TIMEOUT", 10),
        # Storefront widget API (app/storefront): shoppers' uploads and rate limits.
        "STOREFRONT_UPLOAD_MAX_BYTES": _env_int(
            environ, "LUNEO_STOREFRONT_UPLOAD_MAX_BYTES", 15 * 1024 * 1024
        ),
        "STOREFRONT_UPLOAD_MAX_PIXELS": _env_int(
            environ, "LUNEO_STOREFRONT_UPLOAD_MAX_PIXELS", 40_000_000
        ),
        # Bytes of shoppers' files (photos kept, AI images made) per hour and per day, per shopper
        # (address) and per store; over one, 429 with Retry-After. 0 turns one off.
        "STOREFRONT_FILE_BYTES_PER_CLIENT_HOUR": _env_int(
            environ, "LUNEO_STOREFRONT_FILE_BYTES_PER_CLIENT_HOUR", 100 * 1024 * 1024
        ),
        "STOREFRONT_FILE_BYTES_PER_CLIENT_DAY": _env_int(
            environ, "LUNEO_STOREFRONT_FILE_BYTES_PER_CLIENT_DAY", 300 * 1024 * 1024
        ),
        "STOREFRONT_FILE_BYTES_PER_SHOP_HOUR": _env_int(
            environ, "LUNEO_STOREFRONT_FILE_BYTES_PER_SHOP_HOUR", 2 * 1024**3
        ),
        "STOREFRONT_FILE_BYTES_PER_SHOP_DAY": _env_int(
            environ, "LUNEO_STOREFRONT_FILE_BYTES_PER_SHOP_DAY", 20 * 1024**3
        ),
        "STOREFRONT_RATE_WINDOW": _env_int(environ, "LUNEO_STOREFRONT_RATE_WINDOW", 60),
        "STOREFRONT_RATE_PER_SHOP": _env_int(environ, "LUNEO_STOREFRONT_RATE_PER_SHOP", 3000),
        "STOREFRONT_RATE_PER_CLIENT": _env_int(environ, "LUNEO_STOREFRONT_RATE_PER_CLIENT", 240),
        # Partner API calls per minute per partner (all its keys together); 0 turns it off.
        "PARTNER_API_RATE_PER_MINUTE": _env_int(environ, "LUNEO_PARTNER_API_RATE_PER_MINUTE", 600),
        "STOREFRONT_PREVIEW_CACHE_TTL": _env_int(environ, "LUNEO_STOREFRONT_PREVIEW_TTL", 900),
        # What one storefront preview may cost (app/storefront/limits.py, rendering.py): the
        # document's size and estimated render cost, checked before rendering (422 naming the
        # limit); the milliseconds one render may run (503 past it); and render milliseconds per
        # window per shop and per client (429).
        "STOREFRONT_MAX_DOCUMENT_BYTES": _env_int(
            environ, "LUNEO_STOREFRONT_MAX_DOCUMENT_BYTES", 64 * 1024
        ),
        "STOREFRONT_MAX_LAYERS": _env_int(environ, "LUNEO_STOREFRONT_MAX_LAYERS", 40),
        "STOREFRONT_MAX_TEXT_CHARS": _env_int(environ, "LUNEO_STOREFRONT_MAX_TEXT_CHARS", 300),
        "STOREFRONT_MAX_CHARS": _env_int(environ, "LUNEO_STOREFRONT_MAX_CHARS", 600),
        "STOREFRONT_MAX_CURVED_CHARS": _env_int(environ, "LUNEO_STOREFRONT_MAX_CURVED_CHARS", 200),
        "STOREFRONT_MAX_RENDER_COST": _env_int(environ, "LUNEO_STOREFRONT_MAX_RENDER_COST", 600),
        "STOREFRONT_MAX_PHOTOS": _env_int(environ, "LUNEO_STOREFRONT_MAX_PHOTOS", 8),
        "STOREFRONT_PREVIEW_BUDGET_MS": _env_int(
            environ, "LUNEO_STOREFRONT_PREVIEW_BUDGET_MS", 2000
        ),
        "STOREFRONT_RENDER_MS_PER_SHOP": _env_int(
            environ, "LUNEO_STOREFRONT_RENDER_MS_PER_SHOP", 60_000
        ),
        "STOREFRONT_RENDER_MS_PER_CLIENT": _env_int(
            environ, "LUNEO_STOREFRONT_RENDER_MS_PER_CLIENT", 20_000
        ),
        # GET /metrics: the bearer token scrapers send; unset, the endpoint exists in development
        # and testing only (404 in production, so it is never public by accident).
        "METRICS_TOKEN": environ.get("LUNEO_METRICS_TOKEN") or None,
        # prometheus_client's own variable: gunicorn workers write their request metrics there
        # and every scrape adds them up. The library reads it at import, so it must be in the
        # process environment, not only in a settings mapping.
        "PROMETHEUS_MULTIPROC_DIR": environ.get("PROMETHEUS_MULTIPROC_DIR") or None,
        # Seconds between retries of a shipment push to a store ("10,60,300,…"; empty: defaults).
        "PUSH_RETRY_INTERVALS": environ.get("LUNEO_PUSH_RETRY_INTERVALS", ""),
        # Seconds between retries of a new-job webhook to a partner ("30,120,…"; empty: defaults).
        "PARTNER_WEBHOOK_RETRY_INTERVALS": environ.get("LUNEO_PARTNER_WEBHOOK_RETRY_INTERVALS", ""),
        # Days an unordered design (and the shopper files only it used) is kept after its last
        # change; the daily retention sweep removes older ones (app/retention.py). 0: keep all.
        "DESIGN_RETENTION_DAYS": _env_int(environ, "LUNEO_DESIGN_RETENTION_DAYS", 30),
        # Hours a shopper's photo no design places is kept; swept every 15 minutes. 0: only the
        # design retention above removes them.
        "UPLOAD_RETENTION_HOURS": _env_int(environ, "LUNEO_UPLOAD_RETENTION_HOURS", 6),
    }


def defaults(**overrides: Any) -> dict[str, Any]:
    """Every setting at its declared default (testing mode), then ``overrides``: a complete
    settings mapping for code and tests that need one without building an app."""
    values = from_environment({"LUNEO_ENV": "testing"}, Path("instance"))
    values.update(overrides)
    return values


def _dev_secrets(instance_path: Path) -> dict[str, str]:
    """Secrets for development, generated once per instance folder and reused afterwards."""
    path = instance_path / "dev-secrets.json"
    if path.exists():
        stored: dict[str, str] = json.loads(path.read_text())
        return stored
    instance_path.mkdir(parents=True, exist_ok=True)
    generated = {
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    }
    path.write_text(json.dumps(generated))
    path.chmod(0o600)
    return generated


def finalize(settings: dict[str, Any], instance_path: Path) -> dict[str, Any]:
    """Validate the merged settings and fill development secrets; raise ConfigError if unusable."""
    env = settings.get("ENV")
    if env not in ENVIRONMENTS:
        raise ConfigError(f"LUNEO_ENV must be one of {', '.join(ENVIRONMENTS)}; got {env!r}")
    missing = [name for name in REQUIRED_IN_PRODUCTION if not settings.get(name)]
    if missing and env == "production":
        hint = {
            "SECRET_KEY": 'python -c "import secrets; print(secrets.token_urlsafe(48))"',
            "ENCRYPTION_KEYS": 'python -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())"',
        }
        lines = [f"  {name}: generate one with {hint[name]}" for name in missing]
        envnames = {"SECRET_KEY": "SECRET_KEY", "ENCRYPTION_KEYS": "LUNEO_ENCRYPTION_KEYS"}
        raise ConfigError(
            "Luneo is starting in production mode (LUNEO_ENV=production) without "
            + ", ".join(envnames[m] for m in missing)
            + ".\n"
            + "\n".join(lines)
            + "\nFor local development run `luneo dev`, or set LUNEO_ENV=development."
        )
    if missing:
        settings.update({k: v for k, v in _dev_secrets(instance_path).items() if k in missing})
    if settings["SHOPIFY_API_KEY"] and not settings["SHOPIFY_API_SECRET"] and env == "production":
        raise ConfigError("SHOPIFY_API_KEY is set but SHOPIFY_API_SECRET is not")
    in_process = _queue_list(settings.get("WORKER_IN_PROCESS_QUEUES", ("default",)))
    unknown = [name for name in in_process if name not in ("default", "sync", "render", "ai")]
    if unknown:
        raise ConfigError(f"LUNEO_WORKER_IN_PROCESS_QUEUES names unknown queues: {unknown}")
    settings["WORKER_IN_PROCESS_QUEUES"] = in_process
    multiproc_dir = settings.get("PROMETHEUS_MULTIPROC_DIR")
    if multiproc_dir and not Path(multiproc_dir).is_dir():
        raise ConfigError(f"PROMETHEUS_MULTIPROC_DIR is not a directory: {multiproc_dir}")
    if int(settings.get("DESIGN_RETENTION_DAYS", 0)) < 0:
        raise ConfigError("LUNEO_DESIGN_RETENTION_DAYS must be 0 (keep everything) or more days")
    if int(settings.get("UPLOAD_RETENTION_HOURS", 0)) < 0:
        raise ConfigError("LUNEO_UPLOAD_RETENTION_HOURS must be 0 (off) or more hours")
    _check_services(settings, env)
    settings["ENCRYPTION_KEY_LIST"] = [
        k.strip() for k in str(settings["ENCRYPTION_KEYS"]).split(",") if k.strip()
    ]
    try:
        for key in settings["ENCRYPTION_KEY_LIST"]:
            Fernet(key)
    except ValueError:
        raise ConfigError(
            "LUNEO_ENCRYPTION_KEYS must be comma-separated Fernet keys (32 url-safe base64 bytes)"
        ) from None
    settings["DEBUG"] = settings.get("DEBUG", False)
    settings["TESTING"] = env == "testing" or settings.get("TESTING", False)
    settings.setdefault("SESSION_COOKIE_HTTPONLY", True)
    settings.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    settings.setdefault("SESSION_COOKIE_SECURE", env == "production")
    return settings


def _check_services(settings: Mapping[str, Any], env: str) -> None:
    """Refuse at start-up what would otherwise fail every generation or store call later."""
    provider = settings["AI_PROVIDER"]
    if provider is not None and provider not in AI_PROVIDERS:
        raise ConfigError(f"AI_PROVIDER must be one of {', '.join(AI_PROVIDERS)}; got {provider!r}")
    if provider == "openai" and not settings["OPENAI_API_KEY"] and env == "production":
        raise ConfigError("AI_PROVIDER is openai but OPENAI_API_KEY is not set")
    positive = (
        "AI_RETRY_ATTEMPTS",
        "AI_DEADLINE_SECONDS",
        "OPENAI_TIMEOUT",
        "SHOPIFY_MAX_ATTEMPTS",
        "WOOCOMMERCE_MAX_ATTEMPTS",
        "WOO_CONCURRENCY",
    )
    not_negative = (
        "AI_RATE_LIMIT_PER_MINUTE",
        "AI_RATE_LIMIT_PER_HOUR",
        "AI_SHOP_RATE_LIMIT_PER_MINUTE",
        "AI_RETRY_BASE_DELAY",
        "AI_RETRY_MAX_WAIT",
    )
    for name in positive:
        if float(settings[name]) <= 0:
            raise ConfigError(f"{name} must be more than 0, got {settings[name]!r}")
    for name in not_negative:
        if float(settings[name]) < 0:
            raise ConfigError(f"{name} must be 0 or more, got {settings[name]!r}")


def secret_values(settings: Mapping[str, Any]) -> list[str]:
    """The configured secret strings, so the log filter can mask them wherever they appear."""
    values: list[str] = []
    for name in SECRET_SETTINGS:
        raw = settings.get(name)
        if raw:
            values.extend(part.strip() for part in str(raw).split(",") if len(part.strip()) >= 8)
    return values


def environ_snapshot() -> dict[str, str]:
    """The process environment, read in one place."""
    return dict(os.environ)
