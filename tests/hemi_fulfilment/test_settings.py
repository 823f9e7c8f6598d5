"""Settings come only from the environment; mistakes are one clear line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from hemi_fulfilment.env import ConfigurationError, Settings

ROOT = Path(__file__).resolve().parents[2]


def test_database_url_parses_postgres_and_sqlite() -> None:
    env = Settings({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/hemi"})
    config = env.db("DATABASE_URL", default="sqlite:///x.db")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["HOST"] == "127.0.0.1" and config["NAME"] == "hemi"
    assert Settings({}).db("DATABASE_URL", default="sqlite:///x.db")["ENGINE"].endswith("sqlite3")


@pytest.mark.parametrize(
    ("mapping", "call", "message"),
    [
        (
            {"DATABASE_URL": "nonsense"},
            lambda e: e.db("DATABASE_URL", "sqlite:///x"),
            "DATABASE_URL is invalid",
        ),
        (
            {"CACHE_URL": "nope"},
            lambda e: e.cache("CACHE_URL", "locmemcache://"),
            "CACHE_URL is invalid",
        ),
        (
            {"DEBUG": "maybe"},
            lambda e: e.flag("DEBUG", False),
            "DEBUG is invalid: expected true or false",
        ),
        ({"N": "ten"}, lambda e: e.integer("N", 1), "N is invalid: expected a whole number"),
        ({"ADMINS": "not-an-address"}, lambda e: e.people("ADMINS"), "ADMINS is invalid"),
        (
            {"CELERY_BROKER_URL": "kafka://x"},
            lambda e: e.url("CELERY_BROKER_URL", "redis://", ("redis",)),
            "expected a URL starting with redis://",
        ),
        ({}, lambda e: e.text("SECRET_KEY"), "SECRET_KEY is not set"),
        (
            {"OC_REGION_EBAY_SITES": "UK"},
            lambda e: e.mapping("OC_REGION_EBAY_SITES", {}),
            "KEY=value pairs",
        ),
    ],
)
def test_bad_values_name_the_variable_and_what_it_expects(mapping, call, message) -> None:
    with pytest.raises(ConfigurationError, match=message) as info:
        call(Settings(mapping))
    # The value is never echoed: it could be a password.
    for value in mapping.values():
        assert value not in str(info.value)


def test_region_mappings_parse_key_value_pairs() -> None:
    env = Settings({"OC_REGION_EBAY_SITES": "UK=UK, DE=DE ,AU=AU"})
    assert env.mapping("OC_REGION_EBAY_SITES", {}) == {"UK": "UK", "DE": "DE", "AU": "AU"}
    assert Settings({}).mapping("X", {"UK": "UK"}) == {"UK": "UK"}


def test_admins_parse_names_and_addresses() -> None:
    env = Settings({"ADMINS": "Ops Team <ops@example.com>, dev@example.com"})
    assert env.people("ADMINS") == [
        ("Ops Team", "ops@example.com"),
        ("dev@example.com", "dev@example.com"),
    ]


def _manage(*args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(IGNORE_DOTENV="true", **extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_malformed_variable_is_one_line_and_exit_code_2() -> None:
    result = _manage("check", DATABASE_URL="not a url", DEBUG="true")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Configuration error: DATABASE_URL is invalid: expected a database URL such as "
        "postgres://user@127.0.0.1:5432/name or sqlite:///path."
    ]
    assert "Traceback" not in result.stderr


def test_production_mode_requires_a_secret_key() -> None:
    result = _manage("check", DEBUG="false", SECRET_KEY="")
    assert result.returncode == 2
    assert "SECRET_KEY" in result.stderr and "Traceback" not in result.stderr


def test_check_deploy_is_clean_with_production_values() -> None:
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="x" * 20 + "-production-secret-key-with-enough-entropy-9f8e7d6c5b4a",
        ALLOWED_HOSTS="fulfilment.example.com",
        DATABASE_URL="postgres://hemi@db.example.com:5432/hemi",
        CACHE_URL="redis://cache.example.com:6379/1",
        CELERY_BROKER_URL="redis://cache.example.com:6379/0",
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        ADMINS="Ops <ops@example.com>",
        EMAIL_URL="smtp+tls://mailer:pw@mail.example.com:587",
        PUBLIC_BASE_URL="https://fulfilment.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
