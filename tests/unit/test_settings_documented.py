"""Every documented setting is read from the environment, and code reads only declared settings.

The README's settings table is the contract: each variable it names, set in the environment to a
distinctive valid value, must reach the app's config. Code must read settings as
``config["X"]`` (a typo or an undeclared key fails loudly) rather than ``config.get("X", default)``
(which silently ignores the environment and hides a second default at the point of use).
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from flask import Flask

from app import create_app
from app.config import ConfigError, finalize, from_environment

REPO = Path(__file__).resolve().parents[2]
CODE_DIRS = ("app", "connectors", "jobs")
SETTINGS_MODULE = REPO / "app" / "config.py"
# Names a settings mapping goes by in the code (``current_app.config``, ``app.config`` included).
CONFIG_NAMES = frozenset({"config", "settings"})

# A distinctive valid value for variables whose type does not accept the generic ones below.
SPECIAL_VALUES = {
    "LUNEO_ENV": "development",
    "LUNEO_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "REDIS_URL": "redis://127.0.0.1:6399/7",
    "S3_ENDPOINT_URL": "http://127.0.0.1:9999",
    "SHOPIFY_APP_URL": "https://probe.luneo.test",
    "SHOPIFY_SHOP_ORIGIN": "http://127.0.0.1:9998/{shop}",
    "OPENAI_BASE_URL": "http://127.0.0.1:9997/v1",
    "STRIPE_API_BASE": "http://127.0.0.1:9996",
    "AI_PROVIDER": "openai",
    "AI_IMAGE_QUALITY": "high",
    "AI_TRANSPARENT_BACKGROUND": "true",
    "LUNEO_BILLING_TEST_CHARGES": "false",
    "LOG_LEVEL": "WARNING",
    "LOG_FORMAT": "json",
    "MAIL_BACKEND": "smtp",
    "MAIL_DELIVERY": "queue",
    "SMTP_SECURITY": "ssl",
    "LUNEO_PUSH_RETRY_INTERVALS": "11,61,301",
    "LUNEO_PARTNER_WEBHOOK_RETRY_INTERVALS": "31,121,601",
    "OPENAI_TIMEOUT": "37.5",
    "AI_RETRY_BASE_DELAY": "0.25",
    "AI_RETRY_MAX_WAIT": "7.5",
    "LUNEO_WORKER_IN_PROCESS_QUEUES": "sync",
}
# Variables that set where the app keeps its files rather than a config entry.
PATH_VALUED = {"LUNEO_INSTANCE_PATH", "PROMETHEUS_MULTIPROC_DIR"}


def _settings_section() -> str:
    text = (REPO / "README.md").read_text()
    start = text.index("\n## Settings\n")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def _expand(names: list[str]) -> Iterator[str]:
    """Names from one cell; ``_PER_HOUR`` after ``AI_RATE_LIMIT_PER_MINUTE`` is the shorthand for
    ``AI_RATE_LIMIT_PER_HOUR`` (the previous name with as many trailing words replaced)."""
    previous = ""
    for name in names:
        if name.startswith("_"):
            words = name.strip("_").split("_")
            assert previous, f"shorthand {name} with no full name before it"
            name = "_".join(previous.split("_")[: -len(words)] + words)
        previous = name
        yield name


def documented_variables() -> list[str]:
    """Every environment variable the README's settings table names (first column)."""
    names: list[str] = []
    for line in _settings_section().splitlines():
        if not line.startswith("|") or set(line) <= set("|- "):
            continue
        first = line.split("|")[1]
        cell = re.findall(r"`([A-Z_][A-Z0-9_]*)`", first)
        names.extend(_expand(cell))
    return [n for n in names if n != "variable"]


def test_the_readme_table_is_parsed() -> None:
    names = documented_variables()

    assert len(names) == len(set(names)), "a variable is documented twice"
    assert {"AI_RATE_LIMIT_PER_MINUTE", "AI_RATE_LIMIT_PER_HOUR", "SECRET_KEY"} <= set(names)
    assert list(_expand(["AI_RATE_LIMIT_PER_MINUTE", "_PER_HOUR"]))[1] == "AI_RATE_LIMIT_PER_HOUR"


def _value_for(name: str, tmp_path: Path) -> str:
    if name in PATH_VALUED:
        folder = tmp_path / f"probe-{name.lower()}"
        folder.mkdir()
        return str(folder)
    if name == "DATABASE_URL":
        return f"sqlite:///{tmp_path / 'probe.sqlite3'}"
    if name == "STORAGE_URL":
        return str(tmp_path / "probe-files")
    if name in SPECIAL_VALUES:
        return SPECIAL_VALUES[name]
    numeric = r"TTL|HOPS|DAYS|HOURS|BYTES|PIXELS|PORT|TIMEOUT|INTERVAL|RATE|LIMIT|MAX|ATTEMPTS"
    numeric += "|CONCURRENCY"
    if re.search(rf"({numeric}|SECONDS|TOLERANCE|WINDOW|_MS_|_MS$|_PER_)", name):
        return "7919"  # a prime no default uses
    return f"probe-{name.lower()}-1f3a"


def _matches(value: str, seen: Any) -> bool:
    if isinstance(seen, bool):
        return value in ("true", "false") and seen is (value == "true")
    if isinstance(seen, int | float):
        try:
            return seen == float(value)
        except ValueError:
            return False
    if isinstance(seen, list | tuple):
        return any(_matches(value, item) for item in seen)
    return seen is not None and str(seen) == value


def _app_with(environ: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Flask:
    for name in documented_variables():
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    overrides: dict[str, Any] = {}
    if "LUNEO_INSTANCE_PATH" not in environ:
        overrides["INSTANCE_PATH"] = str(tmp_path / "instance")
    return create_app(overrides)


BASE_ENV = {"LUNEO_ENV": "testing"}


@pytest.mark.parametrize("name", documented_variables())
def test_each_documented_variable_reaches_the_app_config(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a distinctive valid value in the process environment
    value = _value_for(name, tmp_path)
    environ = {**BASE_ENV, name: value}

    # when the app is built from that environment
    app = _app_with(environ, monkeypatch, tmp_path)

    # then some config entry (or the instance folder) holds exactly that value
    seen = {**app.config, "instance_path": app.instance_path}
    holders = [key for key, held in seen.items() if _matches(value, held)]
    assert holders, f"{name}={value!r} did not reach app.config"
    baseline = finalize(from_environment(BASE_ENV, tmp_path / "base"), tmp_path / "base")
    if name not in PATH_VALUED:
        assert any(baseline.get(key) != seen[key] for key in holders), (
            f"{name}: the value seen is the default, not the environment's"
        )


def test_the_issue_example_reaches_the_provider(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.ai.providers import provider_from_config
    from app.generation.requests import limits_from_config, options_from_config

    app = _app_with(
        {
            **BASE_ENV,
            "AI_PROVIDER": "openai",
            "OPENAI_API_KEY": "sk-probe-luneo",
            "OPENAI_IMAGE_MODEL": "gpt-image-9-probe",
            "OPENAI_BASE_URL": "http://127.0.0.1:9997/v1",
            "AI_RATE_LIMIT_PER_MINUTE": "1",
        },
        monkeypatch,
        tmp_path,
    )

    options, limits = options_from_config(app.config), limits_from_config(app.config)
    provider: Any = provider_from_config(app.config)
    assert (options.provider, options.model) == ("openai", "gpt-image-9-probe")
    assert limits.per_shopper[0].limit == 1
    assert provider.settings.model == "gpt-image-9-probe"
    assert provider.settings.base_url == "http://127.0.0.1:9997/v1"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("AI_PROVIDER", "dall-e"),
        ("AI_IMAGE_QUALITY", "ultra"),
        ("AI_TRANSPARENT_BACKGROUND", "maybe"),
        ("AI_RATE_LIMIT_PER_MINUTE", "six"),
        ("AI_RATE_LIMIT_PER_HOUR", "-1"),
        ("AI_RETRY_ATTEMPTS", "0"),
        ("AI_DEADLINE_SECONDS", "0"),
        ("OPENAI_TIMEOUT", "soon"),
        ("LUNEO_SHOPIFY_MAX_ATTEMPTS", "0"),
        ("LUNEO_BILLING_TEST_CHARGES", "perhaps"),
    ],
)
def test_a_bad_value_is_a_clear_start_up_error(name: str, value: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=name.removeprefix("LUNEO_")):
        finalize(from_environment({**BASE_ENV, name: value}, tmp_path), tmp_path)


def test_openai_without_a_key_refuses_to_start_in_production(tmp_path: Path) -> None:
    environ = {
        "LUNEO_ENV": "production",
        "SECRET_KEY": "s" * 40,
        "LUNEO_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "AI_PROVIDER": "openai",
    }
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        finalize(from_environment(environ, tmp_path), tmp_path)


# Old or ecosystem names read when the documented one is unset; the README mentions each.
ALIASES = {"ENCRYPTION_KEY", "AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION", "HOST"}


def _variables_read_by_the_settings_module() -> set[str]:
    """Names given to ``environ.get`` or an ``_env_*(environ, NAME, …)`` helper in app/config."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(SETTINGS_MODULE.read_text())):
        if not isinstance(node, ast.Call):
            continue
        func, args = node.func, node.args
        if isinstance(func, ast.Attribute) and func.attr == "get" and args:
            if isinstance(func.value, ast.Name) and func.value.id == "environ":
                names.add(str(getattr(args[0], "value", "")))
        elif isinstance(func, ast.Name) and func.id.startswith("_env_") and len(args) > 1:
            names.add(str(getattr(args[1], "value", "")))
    return names - {""}  # a helper's own ``environ.get(name)``


def test_every_variable_the_settings_module_reads_is_documented() -> None:
    read = _variables_read_by_the_settings_module()
    section = _settings_section()

    undocumented = sorted(read - set(documented_variables()) - ALIASES)
    assert "AI_PROVIDER" in read
    assert undocumented == [], f"add a row to the README settings table for {undocumented}"
    assert all(f"`{alias}`" in section for alias in ALIASES)


# --- the code side: no config.get, no undeclared key ---------------------------------------------


def _is_config(node: ast.expr) -> bool:
    """``config``, ``settings``, ``current_app.config``, ``app.config``, ``self.config``…"""
    if isinstance(node, ast.Name):
        return node.id in CONFIG_NAMES
    return isinstance(node, ast.Attribute) and node.attr == "config"


def _code_files() -> Iterator[Path]:
    for folder in CODE_DIRS:
        for path in sorted((REPO / folder).rglob("*.py")):
            if path != SETTINGS_MODULE:
                yield path


@functools.cache
def _reads() -> tuple[tuple[str, str, str | None], ...]:
    """(where, how, key) for every read of a settings mapping: how is "get" or "[]"."""
    return tuple(_scan())


def _scan() -> Iterator[tuple[str, str, str | None]]:
    for path in _code_files():
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            where = f"{path.relative_to(REPO)}:{getattr(node, 'lineno', 0)}"
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("get", "setdefault")
                and _is_config(node.func.value)
            ):
                arg = node.args[0] if node.args else None
                key = arg.value if isinstance(arg, ast.Constant) else None
                yield where, "get", key if isinstance(key, str) else None
            elif (
                isinstance(node, ast.Subscript)
                and isinstance(node.ctx, ast.Load)
                and _is_config(node.value)
                and isinstance(node.slice, ast.Constant)
                and isinstance(node.slice.value, str)
            ):
                yield where, "[]", node.slice.value


def declared_settings(tmp_path: Path) -> set[str]:
    declared = finalize(from_environment(BASE_ENV, tmp_path), tmp_path)
    return set(declared) | set(Flask.default_config)


def test_code_never_reads_a_setting_with_get() -> None:
    offenders = [f"{where} .get({key!r})" for where, how, key in _reads() if how == "get"]

    assert offenders == [], (
        "read settings as config[KEY]; declare the default once in app/config.py:\n"
        + "\n".join(offenders)
    )


def test_every_setting_read_in_code_is_declared(tmp_path: Path) -> None:
    declared = declared_settings(tmp_path)

    undeclared = [f"{where} {key}" for where, _, key in _reads() if key and key not in declared]

    assert undeclared == [], "declare these in app/config.py from_environment:\n" + "\n".join(
        undeclared
    )


def test_the_scan_sees_what_it_must(tmp_path: Path) -> None:
    """Guard the guard: the scan finds reads in the shapes the code uses."""
    reads = {(how, key) for _, how, key in _reads()}

    assert ("[]", "AI_DEADLINE_SECONDS") in reads
    assert ("[]", "SECRET_KEY") in reads
    assert ("[]", "SHOPIFY_MAX_ATTEMPTS") in reads
