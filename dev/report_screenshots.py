"""Screenshots of every section of the HTML report, for the docs.

    python dev/report_screenshots.py --db history_demo.duckdb --out docs/images

Writes the report of --db (segmentation.report.write_report), opens it in
Debian's chromium (Playwright drives it; no browser is ever downloaded, and no
request leaves the machine), waits until every chart is drawn and saves one PNG
per <section> as report-<section id>.png. docs/images holds the ones made from
README's "Segments over time" database: the demo company with three runs, so
the migration section has something to show. Needs the dev extra
(pip install -e ".[dev]") and `apt-get install chromium`.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    raise SystemExit("no chromium on PATH (Debian: apt-get install chromium)")


def screenshot_sections(report: Path, out: Path, width: int = 1200) -> list[Path]:
    """One PNG per section of the report file; returns the paths written."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium(),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.route("**/*", lambda route: route.continue_()
                       if route.request.url.startswith(LOCAL_SCHEMES) else route.abort())
            page.goto(report.resolve().as_uri(), wait_until="load")
            # Every plotly chart has drawn its SVG before anything is captured.
            page.wait_for_function(
                "[...document.querySelectorAll('.js-plotly-plot')]"
                ".every(chart => chart.querySelector('.main-svg'))", timeout=60_000)
            # The sticky header would sit on top of every section below the first.
            page.add_style_tag(content="header, nav { position: static !important; }")
            # A viewport as tall as the page: a section taller than the window would
            # otherwise be captured while the responsive charts redraw at another size.
            height = page.evaluate("document.documentElement.scrollHeight")
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(500)
            for section in page.query_selector_all("section[id]"):
                path = out / f"report-{section.get_attribute('id')}.png"
                section.scroll_into_view_if_needed()
                section.screenshot(path=str(path), animations="disabled")
                written.append(path)
        finally:
            browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="segmentation.duckdb",
                        help="DuckDB file written by dbt build (default: %(default)s)")
    parser.add_argument("--out", default="docs/images", help="folder for the PNGs")
    parser.add_argument("--width", type=int, default=1200, help="page width in pixels")
    args = parser.parse_args(argv)

    from segmentation.report import write_report

    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.html"
        write_report(Path(args.db), report, title="Customer segmentation")
        written = screenshot_sections(report, Path(args.out), width=args.width)
    for path in written:
        print(f"wrote {path} ({path.stat().st_size // 1024} KB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
