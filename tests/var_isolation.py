"""A pytest plugin that gives the test session a ``VAR_DIR`` of its own.

The demo keeps its SQLite file, file cache and filesystem broker under ``var/``; a test
session that used them would read the demo's cache and take the demo's queued jobs.
pytest-django reads Django's settings in its own ``pytest_load_initial_conftests`` hook,
before any ``conftest.py`` is imported, so the variable is set here, in a plugin that
pyproject's ``addopts`` loads (``-p tests.var_isolation``) and that runs first. A
``VAR_DIR`` the environment already names (CI's ``var/ci``) is kept.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import MutableMapping
from pathlib import Path

import pytest

VARIABLE = "VAR_DIR"
PREFIX = "hemi-tests-var-"
#: The folder this session made, when it made one.
CREATED = pytest.StashKey[Path]()


def choose_var_dir(environ: MutableMapping[str, str]) -> Path | None:
    """Point ``environ``'s ``VAR_DIR`` at a new empty temporary folder unless it names one.

    Returns the folder made, or None when the environment's own was kept.
    """
    if environ.get(VARIABLE, "").strip():
        return None
    folder = Path(tempfile.mkdtemp(prefix=PREFIX))
    environ[VARIABLE] = str(folder)
    return folder


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    """Before Django's settings load: the session's own ``VAR_DIR``."""
    folder = choose_var_dir(os.environ)
    if folder is None:
        return
    early_config.stash[CREATED] = folder

    def remove() -> None:
        os.environ.pop(VARIABLE, None)
        shutil.rmtree(folder, ignore_errors=True)

    early_config.add_cleanup(remove)
