"""The test session keeps away from the demo's ``var/``, and no test sees another's cache."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from tests.var_isolation import CREATED, PREFIX, choose_var_dir

KEY = "tests:isolation:left-behind"
LEFT_IN_CACHE = pytest.StashKey[bool]()


def _demo_var() -> Path:
    # Where the demo keeps its files when nothing says otherwise (settings' default).
    return (Path(settings.BASE_DIR) / "var").resolve()


def test_the_session_uses_none_of_the_demos_files() -> None:
    demo = _demo_var()
    assert Path(settings.VAR_DIR).resolve() != demo
    assert Path(settings.CELERY_BROKER_FOLDER).resolve() != demo / "broker"
    assert Path(settings.CELERY_BROKER_FOLDER).resolve().parent == Path(settings.VAR_DIR).resolve()
    default_cache = settings.CACHES["default"]
    if default_cache["BACKEND"].endswith("FileBasedCache"):
        location = Path(default_cache["LOCATION"]).resolve()
        assert location != demo / "cache" and location.parent == Path(settings.VAR_DIR).resolve()
    assert str(settings.DATABASES["default"]["NAME"]) != str(demo / "hemi.sqlite3")


def test_without_a_var_dir_in_the_environment_the_session_made_a_fresh_one(
    request: pytest.FixtureRequest,
) -> None:
    made = request.config.stash.get(CREATED, None)
    if made is None:
        pytest.skip("the environment names VAR_DIR for this session (as CI does)")
    assert Path(settings.VAR_DIR) == made
    assert made.parent == Path(tempfile.gettempdir()) and made.name.startswith(PREFIX)


def test_a_var_dir_the_environment_names_is_kept_and_none_is_made() -> None:
    environ = {"VAR_DIR": "/srv/hemi/ci"}
    assert choose_var_dir(environ) is None
    assert environ == {"VAR_DIR": "/srv/hemi/ci"}


def test_without_a_var_dir_a_new_empty_temporary_folder_is_chosen() -> None:
    environ: dict[str, str] = {"VAR_DIR": " "}
    first, second = choose_var_dir(environ), choose_var_dir({})
    try:
        assert first is not None and second is not None and first != second
        assert environ["VAR_DIR"] == str(first)
        assert first.is_dir() and not any(first.iterdir())
    finally:
        for folder in (first, second):
            if folder is not None:
                folder.rmdir()


def test_a_value_one_test_caches_is_there_for_that_test(request: pytest.FixtureRequest) -> None:
    cache.set(KEY, "left behind by the test before", timeout=600)
    assert cache.get(KEY) == "left behind by the test before"
    request.config.stash[LEFT_IN_CACHE] = True


def test_the_next_test_starts_with_an_empty_cache(request: pytest.FixtureRequest) -> None:
    if not request.config.stash.get(LEFT_IN_CACHE, False):
        pytest.skip("proves something only after the test before it, which fills the cache")
    assert cache.get(KEY) is None
