"""Screenshots for docs/img, taken with headless Debian chromium (Playwright).

``python docs/img/make_screenshots.py REPORT_DIR`` photographs a built report;
``python docs/img/make_screenshots.py --notebooks`` executes notebooks 01 and 03, renders
them to HTML (nbconvert) and photographs each figure and map as the notebook shows it
(``notebook_01_*.png``, ``notebook_03_*.png``); ``--figures`` redraws the figures of
docs/maps.md.

Headless Debian chromium (Playwright), as the browser tests drive it. Writes
``report_1400.png`` and ``report_400.png`` (the top of the page at 1,400 and 400 px
wide), ``report_1400_tables.png`` and ``report_400_figure.png`` (a table section and a
figure further down) and ``report_print_wide.png`` (a wide table in print layout at the
width of an A4 landscape page), and ``interactive_map.png`` (map.html with a node chosen
from the search list by keyboard).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
from _browser import launch, open_page

OUT = Path(__file__).resolve().parent


def shrink() -> None:
    """Every PNG here as 256 colours (a third of the bytes; the docs do not need more)."""
    from PIL import Image

    for png in OUT.glob("*.png"):
        img = Image.open(png)
        if img.mode != "P":
            img.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(
                png, optimize=True
            )


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
        with open_page(browser, report / "map.html", width=1400, height=800) as (page, _):
            page.wait_for_function("window.wpnetMap && window.wpnetMap.ready")
            page.fill("#search", "primary")
            page.keyboard.press("ArrowDown")
            page.keyboard.press("Enter")  # the first match selected by keyboard
            page.screenshot(path=str(OUT / "interactive_map.png"))
        # print layout: an A4 landscape page holds 273 mm = 1032 CSS px between margins
        with open_page(browser, index, width=1032, height=1200) as (page, _):
            page.emulate_media(media="print")
            page.evaluate("document.getElementById('t-capacity_trend').scrollIntoView()")
            page.screenshot(path=str(OUT / "report_print_wide.png"))


def figures() -> None:
    """The figures of docs/maps.md, drawn by the code shown there (96 dpi, as shown)."""
    import matplotlib.pyplot as plt

    import wpnet

    eco = wpnet.load_example()
    s = eco.select(session="2023-24")
    drawn = {
        "ecosystem_map": wpnet.plot_ecosystem(s),
        "ecosystem_geographic": wpnet.plot_ecosystem(
            s, layout="geographic", color_by="simd_quintile", show_networks=False
        ),
        "authority_flows": wpnet.plot_authority_flows(s),
        "brokers": wpnet.plot_brokers(s),
        "reach": wpnet.plot_reach(s),
        "trend": wpnet.plot_trend(eco),
    }
    for name, ax in drawn.items():
        ax.figure.savefig(OUT / f"{name}.png", dpi=96, bbox_inches="tight")
        plt.close(ax.figure)


def notebooks() -> None:
    import tempfile

    import nbformat
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

    folder = Path(__file__).resolve().parents[2] / "notebooks"
    work = Path(tempfile.mkdtemp())
    with launch() as browser:
        for name in ("01_quickstart", "03_annual_report"):
            nb = nbformat.read(folder / f"{name}.ipynb", as_version=4)
            NotebookClient(nb, timeout=600, resources={"metadata": {"path": str(folder)}}).execute()
            page_html, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
            path = work / f"{name}.html"
            path.write_text(page_html, encoding="utf-8")
            with open_page(browser, path, width=1400, height=1000) as (page, _):
                page.wait_for_timeout(1500)  # let the embedded map draw
                shots = page.locator(".jp-OutputArea-output img, .jp-OutputArea-output iframe")
                for k in range(shots.count()):
                    shots.nth(k).screenshot(path=str(OUT / f"notebook_{name[:2]}_{k + 1}.png"))


if __name__ == "__main__":
    if sys.argv[1:] == ["--notebooks"]:
        notebooks()
    elif sys.argv[1:] == ["--figures"]:
        figures()
    else:
        main(Path(sys.argv[1]))
    shrink()
