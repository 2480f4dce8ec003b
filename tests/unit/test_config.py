"""Settings: environment parsing, embedded defaults, and the production secret guard."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from app.config import (
    DEV_STANDIN_FILE,
    ConfigError,
    finalize,
    from_environment,
    secret_values,
)


def _settings(environ: dict[str, str], instance: Path) -> dict[str, object]:
    return finalize(from_environment(environ, instance), instance)


def test_production_without_secrets_refuses_to_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as excinfo:
        _settings({"LUNEO_ENV": "production"}, tmp_path)

    message = str(excinfo.value)
    assert "SECRET_KEY" in message
    assert "LUNEO_ENCRYPTION_KEYS" in message
    assert not (tmp_path / "dev-secrets.json").exists()


def test_production_is_the_default_mode(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="production mode"):
        _settings({}, tmp_path)


def test_production_with_secrets_starts(tmp_path: Path) -> None:
    key = Fernet.generate_key().decode()

    settings = _settings(
        {"LUNEO_ENV": "production", "SECRET_KEY": "s" * 40, "LUNEO_ENCRYPTION_KEYS": key}, tmp_path
    )

    assert settings["ENCRYPTION_KEY_LIST"] == [key]
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["LOG_FORMAT"] == "json"


def test_development_generates_secrets_once_and_reuses_them(tmp_path: Path) -> None:
    first = _settings({"LUNEO_ENV": "development"}, tmp_path)
    second = _settings({"LUNEO_ENV": "development"}, tmp_path)

    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert first["ENCRYPTION_KEYS"] == second["ENCRYPTION_KEYS"]
    assert (tmp_path / "dev-secrets.json").stat().st_mode & 0o777 == 0o600


def test_embedded_defaults_without_settings(tmp_path: Path) -> None:
    settings = _settings({"LUNEO_ENV": "development"}, tmp_path)

    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'luneo.sqlite3'}"
    assert settings["REDIS_URL"] is None
    assert settings["STORAGE_URL"] == str(tmp_path / "files")
    assert settings["LOG_FORMAT"] == "text"


@pytest.mark.parametrize(
    ("_case", "given", "expected"),
    [
        ("libpq", "postgresql://u:p@db:5432/luneo", "postgresql+psycopg://u:p@db:5432/luneo"),
        ("heroku", "postgres://u:p@db/luneo", "postgresql+psycopg://u:p@db/luneo"),
        ("explicit driver", "postgresql+psycopg://db/luneo", "postgresql+psycopg://db/luneo"),
        ("sqlite", "sqlite:////var/luneo.db", "sqlite:////var/luneo.db"),
    ],
)
def test_database_url_is_normalized(_case: str, given: str, expected: str, tmp_path: Path) -> None:
    settings = from_environment({"DATABASE_URL": given}, tmp_path)

    assert settings["SQLALCHEMY_DATABASE_URI"] == expected


@pytest.mark.parametrize(
    ("_case", "environ", "message"),
    [
        ("unknown env", {"LUNEO_ENV": "staging"}, "LUNEO_ENV must be one of"),
        ("bad key", {"LUNEO_ENV": "development", "LUNEO_ENCRYPTION_KEYS": "nope"}, "Fernet keys"),
        (
            "bad integer",
            {"LUNEO_ENV": "development", "LUNEO_DOWNLOAD_URL_TTL": "soon"},
            "LUNEO_DOWNLOAD_URL_TTL must be an integer",
        ),
    ],
)
def test_malformed_settings_are_clear_errors(
    _case: str, environ: dict[str, str], message: str, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match=message):
        _settings(environ, tmp_path)


def test_several_encryption_keys_allow_rotation(tmp_path: Path) -> None:
    new, old = Fernet.generate_key().decode(), Fernet.generate_key().decode()

    settings = _settings(
        {"LUNEO_ENV": "development", "LUNEO_ENCRYPTION_KEYS": f"{new}, {old}"}, tmp_path
    )

    assert settings["ENCRYPTION_KEY_LIST"] == [new, old]


def test_secret_values_lists_every_configured_secret() -> None:
    values = secret_values(
        {"SECRET_KEY": "abcdefgh123", "SHOPIFY_API_SECRET": "shh-very-secret", "SCOPES": "read_x"}
    )

    assert sorted(values) == ["abcdefgh123", "shh-very-secret"]


def test_metrics_settings_are_read_and_the_token_is_masked(tmp_path: Path) -> None:
    environ = {
        "LUNEO_ENV": "development",
        "LUNEO_METRICS_TOKEN": "scrape-token-0123456789",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
    }

    settings = _settings(environ, tmp_path)

    assert settings["METRICS_TOKEN"] == "scrape-token-0123456789"
    assert settings["PROMETHEUS_MULTIPROC_DIR"] == str(tmp_path)
    assert "scrape-token-0123456789" in secret_values(settings)


def test_a_multiprocess_dir_that_does_not_exist_refuses_to_start(tmp_path: Path) -> None:
    missing = tmp_path / "prometheus"
    environ = {"LUNEO_ENV": "development", "PROMETHEUS_MULTIPROC_DIR": str(missing)}

    with pytest.raises(ConfigError, match="PROMETHEUS_MULTIPROC_DIR is not a directory"):
        _settings(environ, tmp_path)


def _record_standin(instance: Path, **values: str) -> None:
    instance.mkdir(parents=True, exist_ok=True)
    (instance / DEV_STANDIN_FILE).write_text(json.dumps(values))


def test_development_reaches_the_stand_in_a_running_luneo_dev_recorded(tmp_path: Path) -> None:
    _record_standin(
        tmp_path,
        SHOPIFY_SHOP_ORIGIN="http://127.0.0.1:40001/{shop}",
        SHOPIFY_API_KEY="luneo-dev",
        SECRET_KEY="not-a-stand-in-variable",
    )

    settings = from_environment({"LUNEO_ENV": "development"}, tmp_path)

    assert settings["SHOPIFY_SHOP_ORIGIN"] == "http://127.0.0.1:40001/{shop}"
    assert settings["SHOPIFY_API_KEY"] == "luneo-dev"
    assert settings["SECRET_KEY"] is None  # only the stand-in's variables are taken


def test_the_environment_wins_over_the_stand_in_record(tmp_path: Path) -> None:
    _record_standin(tmp_path, SHOPIFY_SHOP_ORIGIN="http://127.0.0.1:40001/{shop}")
    environ = {"LUNEO_ENV": "development", "SHOPIFY_SHOP_ORIGIN": "https://{shop}"}

    assert from_environment(environ, tmp_path)["SHOPIFY_SHOP_ORIGIN"] == "https://{shop}"


@pytest.mark.parametrize("env", ["production", "testing"])
def test_outside_development_the_stand_in_record_is_ignored(env: str, tmp_path: Path) -> None:
    _record_standin(tmp_path, SHOPIFY_SHOP_ORIGIN="http://127.0.0.1:40001/{shop}")

    assert from_environment({"LUNEO_ENV": env}, tmp_path)["SHOPIFY_SHOP_ORIGIN"] == "https://{shop}"


def test_an_unreadable_stand_in_record_is_no_record(tmp_path: Path) -> None:
    (tmp_path / DEV_STANDIN_FILE).write_text("[not json")

    settings = from_environment({"LUNEO_ENV": "development"}, tmp_path)

    assert settings["SHOPIFY_SHOP_ORIGIN"] == "https://{shop}"
