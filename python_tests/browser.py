"""Headless Chromium for the tests that look at pages as a person would.

Debian's `chromium` is the browser: Playwright drives it through
``executable_path`` and never downloads one. Every request that leaves the
machine is blocked and recorded, so a test can assert that a page works
offline; console errors and uncaught exceptions are recorded too.

Without a browser the tests skip, unless SEGMENTATION_REQUIRE_BROWSER=1 (CI
sets it), in which case they fail.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[1]
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def require_browser() -> str:
    """The browser's path; skips (or fails, in CI) the test without one."""
    found = chromium_path()
    if found is None:
        message = "no chromium on PATH (Debian: apt-get install chromium)"
        if os.environ.get("SEGMENTATION_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.fail("playwright is missing: pip install -e '.[dev]'")
    return found


def artifact_dir() -> Path:
    """Where screenshots are kept (git-ignored): test-artifacts/ or $SEGMENTATION_TEST_ARTIFACTS."""
    path = Path(os.environ.get("SEGMENTATION_TEST_ARTIFACTS", PROJECT_DIR / "test-artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class PageLog:
    console_errors: list[str] = field(default_factory=list)  # console.error and uncaught
    page_errors: list[str] = field(default_factory=list)  # uncaught exceptions only
    blocked_requests: list[str] = field(default_factory=list)


@contextmanager
def open_page(url: str, *, width: int = 1300,
              height: int = 900) -> Iterator[tuple[object, PageLog]]:
    """A loaded Playwright page on `url` (offline) and the log of what went wrong."""
    from playwright.sync_api import sync_playwright

    executable = require_browser()
    log = PageLog()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": width, "height": height})

            def route(route_request) -> None:
                request_url = route_request.request.url
                if request_url.startswith(LOCAL_SCHEMES):
                    route_request.continue_()
                else:
                    log.blocked_requests.append(request_url)
                    route_request.abort()

            page.route("**/*", route)
            page.on("console", lambda message: log.console_errors.append(message.text)
                    if message.type == "error" else None)
            page.on("pageerror", lambda error: (log.console_errors.append(str(error)),
                                                log.page_errors.append(str(error))))
            page.goto(url, wait_until="load")
            yield page, log
        finally:
            browser.close()
