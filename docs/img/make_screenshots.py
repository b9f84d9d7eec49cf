"""Screenshots of a built report (docs/img): ``python docs/img/make_screenshots.py REPORT_DIR``.

Headless Debian chromium (Playwright), as the browser tests drive it. Writes
``report_1400.png`` and ``report_400.png`` (the top of the page at 1,400 and 400 px
wide), ``report_1400_tables.png`` and ``report_400_figure.png`` (a table section and a
figure further down) and ``report_print_wide.png`` (a wide table in print layout at the
width of an A4 landscape page).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
from _browser import launch, open_page  # noqa: E402

OUT = Path(__file__).resolve().parent


def main(report: Path) -> None:
    index = report / "index.html"
    with launch() as browser:
        with open_page(browser, index, width=1400, height=1600) as (page, _):
            page.screenshot(path=str(OUT / "report_1400.png"))
            page.locator("#t-reach_authority").scroll_into_view_if_needed()
            page.evaluate("document.getElementById('t-reach_authority').scrollIntoView()")
            page.screenshot(path=str(OUT / "report_1400_tables.png"))
        with open_page(browser, index, width=400, height=1400) as (page, _):
            page.screenshot(path=str(OUT / "report_400.png"))
            page.evaluate("document.getElementById('fig-reach').scrollIntoView()")
            page.screenshot(path=str(OUT / "report_400_figure.png"))
        # print layout: an A4 landscape page holds 273 mm = 1032 CSS px between margins
        with open_page(browser, index, width=1032, height=1200) as (page, _):
            page.emulate_media(media="print")
            page.evaluate("document.getElementById('t-capacity_trend').scrollIntoView()")
            page.screenshot(path=str(OUT / "report_print_wide.png"))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
