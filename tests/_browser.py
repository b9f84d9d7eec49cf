"""Helpers for browser tests: Debian chromium driven by Playwright (sync API), offline.

``launch()`` starts headless chromium; ``open_page(browser, path)`` opens a local HTML file
(``file://``) in a fresh context and records every console message, page error, dialog and network request, so a test can
assert that a page works offline and quietly. Chromium is never downloaded: a missing
``/usr/bin/chromium`` fails the test with a message saying so (it is not skipped).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

CHROMIUM = os.environ.get("WPNET_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class PageLog:
    """What a page did while it was open."""

    url: str
    console: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    @property
    def console_errors(self) -> list[str]:
        return [text for kind, text in self.console if kind in ("error", "warning")]

    @property
    def foreign_requests(self) -> list[str]:
        """Requests other than the page's own file."""
        return [u for u in self.requests if u != self.url]


def require_chromium() -> str:
    """The chromium path; fails (never skips) the calling test when it is missing."""
    import pytest

    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"browser tests need Debian chromium at {CHROMIUM} (apt-get install chromium); "
            "it was not found. Set WPNET_CHROMIUM to another chromium binary.",
            pytrace=False,
        )
    return CHROMIUM


@contextlib.contextmanager
def launch() -> Iterator[Any]:
    """A headless Debian chromium (Playwright, sync API); closed on exit."""
    from playwright.sync_api import sync_playwright

    exe = require_chromium()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def open_page(
    browser: Any, path: str | os.PathLike[str], *, width: int = 1280, height: int = 800
) -> Iterator[tuple[Any, PageLog]]:
    """Open ``path`` from disk (``file://``) in a new context; yield ``(page, log)``.

    Every console message, page error, dialog (dismissed) and request is recorded in
    ``log`` from before the page starts loading.
    """
    url = Path(path).resolve().as_uri()
    log = PageLog(url)
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.on("console", lambda m: log.console.append((m.type, m.text)))
        page.on("pageerror", lambda e: log.errors.append(str(e)))
        page.on("request", lambda r: log.requests.append(r.url))

        def on_dialog(d: Any) -> None:
            log.dialogs.append(f"{d.type}: {d.message}")
            d.dismiss()

        page.on("dialog", on_dialog)
        page.goto(url, wait_until="load")
        yield page, log
    finally:
        context.close()


def pixel_spread(png: bytes) -> tuple[float, int]:
    """Standard deviation of the pixel values and number of distinct colours of a PNG."""
    import io

    from PIL import Image

    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    colours = np.unique(img.reshape(-1, 3), axis=0)
    return float(img.std()), len(colours)
