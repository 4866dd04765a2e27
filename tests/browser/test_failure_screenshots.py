"""A browser journey that fails leaves a full-page screenshot of each page it had open under
var/test-screenshots/ and names it in the failure report (tests/browser/conftest.py). Proven on
an inner pytest run whose journeys fail on purpose."""

import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser.test_member_journey import ARGS, CHROMIUM

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "test-screenshots"

# Without Django: the journeys' screenshot mechanism alone, loaded as a plugin.
INNER = """
import pytest

CHROMIUM, ARGS = __CHROMIUM__, __ARGS__
TALL = "<main style='height: 2400px'><h1>Deliberately failing</h1></main>"


def test_inner_fails_inside_the_browser_block():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 400, "height": 300})
        page.set_content(TALL)
        other = browser.new_context().new_page()
        other.set_content("<p>A second page</p>")
        assert page.title() == "another title", "deliberate failure"
        browser.close()


def test_inner_fails_with_the_browser_closed_in_finally():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            page.set_content("<p>No button here</p>")
            page.click("#missing", timeout=300)
        finally:
            browser.close()


def test_inner_passes():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        browser.new_page().set_content("<p>Fine</p>")
        browser.close()
"""


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", data[16:24])


def test_a_failing_journey_leaves_full_page_screenshots_named_in_the_report(tmp_path):
    assert CHROMIUM, "Chromium is not installed (apt-get install chromium)"
    inner = tmp_path / "test_inner.py"
    inner.write_text(INNER.replace("__CHROMIUM__", repr(CHROMIUM)).replace("__ARGS__", repr(ARGS)))
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    expected = {
        "block": SCREENSHOTS / "test_inner_fails_inside_the_browser_block.png",
        "second page": SCREENSHOTS / "test_inner_fails_inside_the_browser_block-2.png",
        "finally": SCREENSHOTS / "test_inner_fails_with_the_browser_closed_in_finally.png",
    }
    passed = SCREENSHOTS / "test_inner_passes.png"
    stale = SCREENSHOTS / "test_inner_fails_inside_the_browser_block-3.png"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"left by an earlier run")
    try:
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-p",
                "no:django",
                "-p",
                "no:cacheprovider",
                "-p",
                "tests.browser.conftest",
                "-c",
                str(tmp_path / "pytest.ini"),
                "--rootdir",
                str(tmp_path),
                str(inner),
            ],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=240,
        )
        output = run.stdout + run.stderr
        assert run.returncode == 1, output
        assert "2 failed, 1 passed" in output, output
        assert output.count("screenshots on failure") == 2, output
        for path in expected.values():
            assert str(path) in output, output
            assert path.exists(), output
        # Full page: the whole 2400 px tall page, not the 300 px viewport.
        assert _png_size(expected["block"])[1] >= 2400
        assert not passed.exists()
        assert not stale.exists()  # an earlier run's picture does not mislead
    finally:
        for path in [*expected.values(), passed, stale]:
            path.unlink(missing_ok=True)
