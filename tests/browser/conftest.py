"""Browser journeys: when one fails, a full-page screenshot of every page it had open, written
to var/test-screenshots/<test name>.png (then <test name>-2.png, …) and named in the failure
report.

A journey drives Chromium inside `with sync_playwright() as playwright:` in the test body and
does its database work before and after that block (Django refuses the database while
Playwright's event loop runs). By the time pytest reports a failure that browser is gone, so
the pictures are taken on the way out of the failure: as the exception leaves the `with` block,
or when a `finally` closes the browser. For that, each test here runs with `sync_playwright`,
`BrowserType.launch` and `Browser.close` wrapped; a journey needs no code of its own, as long
as it imports `sync_playwright` inside the test (as all of them do).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "var" / "test-screenshots"
_TAKEN = pytest.StashKey[list]()


class FailureScreenshots:
    """The browsers a test launched, and the screenshots taken of their pages on failure."""

    def __init__(self, item: pytest.Item):
        self.stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", item.name).strip("-")
        self.browsers: list = []
        self.taken: list[tuple[Path | None, str]] = []  # (file, line for the report)
        item.stash[_TAKEN] = self.taken
        self._shot_browsers: set[int] = set()

    def forget_earlier_runs(self) -> None:
        """A picture left by an earlier failure of this test would mislead."""
        pattern = re.compile(rf"{re.escape(self.stem)}(-\d+)?\.png")
        for old in SCREENSHOT_DIR.glob("*.png"):
            if pattern.fullmatch(old.name):
                old.unlink(missing_ok=True)

    def take_all(self) -> None:
        for browser in self.browsers:
            self.take(browser)

    def take(self, browser) -> None:
        if id(browser) in self._shot_browsers:
            return
        self._shot_browsers.add(id(browser))
        # Never let a picture hide the test's own failure: a dead page gets a line instead.
        try:
            if not browser.is_connected():
                return
            pages = [page for context in browser.contexts for page in context.pages]
        except Exception as error:  # noqa: BLE001
            self.taken.append((None, f"(no screenshot: {error})"))
            return
        for page in pages:
            number = len(self.taken) + 1
            path = SCREENSHOT_DIR / (
                f"{self.stem}.png" if number == 1 else f"{self.stem}-{number}.png"
            )
            try:
                if page.is_closed():
                    continue
                SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
                url = page.url
                page.screenshot(path=str(path), full_page=True, timeout=15_000)
            except Exception as error:  # noqa: BLE001
                self.taken.append((None, f"(no screenshot of a page: {error})"))
            else:
                self.taken.append((path, f"{path}  ({url})"))


def _is_failure(exc: BaseException | None) -> bool:
    # Not a skip, an exit or Ctrl-C; `pytest.fail()` is a BaseException but a failure.
    return isinstance(exc, (Exception, pytest.fail.Exception))


class _ScreenshotsOnError:
    """`sync_playwright()` that photographs the open pages before an exception closes them."""

    def __init__(self, manager, screenshots: FailureScreenshots):
        self._manager, self._screenshots = manager, screenshots

    def __enter__(self):
        return self._manager.__enter__()

    def __exit__(self, exc_type, exc, traceback):
        if _is_failure(exc):
            self._screenshots.take_all()
        return self._manager.__exit__(exc_type, exc, traceback)


@pytest.fixture(autouse=True)
def _screenshots_on_failure(request, monkeypatch):
    import playwright.sync_api as sync_api

    screenshots = FailureScreenshots(request.node)
    screenshots.forget_earlier_runs()
    sync_playwright = sync_api.sync_playwright
    launch = sync_api.BrowserType.launch
    close = sync_api.Browser.close

    def recording_launch(self, *args, **kwargs):
        browser = launch(self, *args, **kwargs)
        screenshots.browsers.append(browser)
        return browser

    def close_after_screenshots(self, *args, **kwargs):
        # Called from a `finally` (or an `except`) while the test's exception is on its way out.
        if _is_failure(sys.exc_info()[1]):
            screenshots.take(self)
        return close(self, *args, **kwargs)

    monkeypatch.setattr(
        sync_api, "sync_playwright", lambda: _ScreenshotsOnError(sync_playwright(), screenshots)
    )
    monkeypatch.setattr(sync_api.BrowserType, "launch", recording_launch)
    monkeypatch.setattr(sync_api.Browser, "close", close_after_screenshots)
    yield screenshots


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    taken = item.stash.get(_TAKEN, None)
    if report.when == "call" and taken:
        if report.failed:
            report.sections.append(
                ("screenshots on failure", "\n".join(line for _path, line in taken))
            )
        else:
            # Taken on an exception the test caught itself: nothing failed, nothing to keep.
            for path, _line in taken:
                if path is not None:
                    path.unlink(missing_ok=True)
    return report
