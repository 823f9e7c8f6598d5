"""Screenshots go to the test's own folder; docs/ only when ``make screenshots`` asks."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import SCREENSHOTS_DIR_VARIABLE, Screenshots, screenshots_dir


class _Page:
    """Stands in for a Playwright page: writes a few bytes where it is told."""

    def screenshot(self, path: str, full_page: bool) -> None:
        Path(path).write_bytes(b"\x89PNG")


def test_a_screenshot_is_taken_into_the_test_folder_and_nowhere_else(tmp_path: Path) -> None:
    folder = tmp_path / "test"
    folder.mkdir()
    taken = Screenshots(folder, None)(_Page(), "stock-review")
    assert taken == folder / "stock-review.png" and taken.read_bytes() == b"\x89PNG"
    assert sorted(tmp_path.rglob("*.png")) == [taken]


def test_a_screenshot_is_also_copied_where_make_screenshots_asks(tmp_path: Path) -> None:
    folder, docs = tmp_path / "test", tmp_path / "docs"
    folder.mkdir()
    Screenshots(folder, docs)(_Page(), "stock-review")
    assert (docs / "stock-review.png").read_bytes() == b"\x89PNG"


@pytest.mark.parametrize(("value", "expected"), [("", None), ("  ", None), ("/x/docs", "/x/docs")])
def test_only_a_set_variable_publishes_screenshots(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: str | None
) -> None:
    monkeypatch.setenv(SCREENSHOTS_DIR_VARIABLE, value)
    assert screenshots_dir() == (Path(expected) if expected else None)


def test_make_test_runs_with_no_screenshot_folder() -> None:
    # `make test` clears the variable, so a value left in someone's shell changes nothing.
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    test_recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert f"{SCREENSHOTS_DIR_VARIABLE}= " in test_recipe
