"""The decision report of ``mentorsim plan``: no "nan", self-contained HTML, in a browser."""

import re
from contextlib import contextmanager
from pathlib import Path

import pytest

from sim.experiment.plan import run_decision
from sim.viz import decision_report
from sim.viz.decision_report import fmt, interval, write_decision
from tests.plans import write_plan

CHROMIUM = Path("/usr/bin/chromium")
DATA_URI = re.compile(r"data:image/png;base64,[A-Za-z0-9+/=]+")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    directory = tmp_path_factory.mktemp("decision")
    out = directory / "out"
    decision, _, _ = run_decision(write_plan(directory, budget=1.0), out=out,
                                  uncertainty=False, progress=False, report=write_decision)
    return decision, out


def test_numbers_never_print_nan():
    nan = float("nan")
    assert fmt(nan) == "—" and interval(nan, 1, 2) == "—" and interval(1.0, nan, nan) == "1 [—]"
    assert fmt(1234567.0, "money") == "1,234,567" and fmt(12.345, "percent") == "12.3%"


def test_report_has_no_nan_and_the_undefined_cells_are_explained(report):
    decision, out = report
    md = (out / "decision.md").read_text()
    page = DATA_URI.sub("", (out / "decision.html").read_text())
    for text in (md, page):
        assert not re.search(r"\bnan\b", text, re.IGNORECASE)
    assert "| performance d at 12 months | — |" in md
    assert "the reference runs no programme" in md
    header, rows, _ = decision_report.headline_table(decision)
    assert header == ["metric", "no programme", "new_hires_first", "e_mentoring"]
    assert len(rows) == len(decision.metrics) <= 8
    for heading in ("Probability that each design is best", "Budget and objectives",
                    "Cost and effect", "The effect over time",
                    "The assumptions that matter most", "Appendix: the full tables"):
        assert f"## {heading}" in md
    assert "sobol_priors.toml" in md and "breaks the budget" in md
    assert "misses objective 'out of reach'" in md


def test_html_is_self_contained(report):
    _, out = report
    page = (out / "decision.html").read_text()
    links = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)["']""", page)
    assert links and all(link.startswith("data:image/png;base64,") for link in links)
    assert not re.search(r"https?://", DATA_URI.sub("", page))
    assert "<style>" in page and "<link" not in page and "<script" not in page


@contextmanager
def chromium_page(errors: list[str]):
    """A Playwright page in the system Chromium that records page and console errors."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing (apt-get install -y chromium)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                             args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("console", lambda message: errors.append(message.text)
                    if message.type == "error" else None)
            yield page
        finally:
            browser.close()


@pytest.mark.slow
def test_decision_html_renders_in_headless_chromium(report):
    """Playwright drives the system Chromium: the page renders, its figures load, no errors."""
    decision, out = report
    errors: list[str] = []
    with chromium_page(errors) as page:
        page.goto((out / "decision.html").as_uri(), wait_until="load", timeout=30_000)
        page.wait_for_function("Array.from(document.images).every(i => i.complete)",
                               timeout=30_000)
        assert page.title() == decision.title
        rows = page.eval_on_selector_all("#headline tbody tr",
                                         "rows => rows.map(r => r.cells[0].innerText)")
        assert rows == [m.label for m in decision.metrics]
        widths = page.eval_on_selector_all("img", "images => images.map(i => i.naturalWidth)")
        assert len(widths) >= 2 and all(w > 0 for w in widths), widths
        assert page.locator("h2").count() >= 3  # the report's sections are there
    assert errors == []


def test_a_broken_page_is_caught_by_the_browser_check(tmp_path):
    """The error listeners do see a failing script (so an empty list above means none)."""
    page_file = tmp_path / "broken.html"
    page_file.write_text("<html><body><script>undefined_function()</script></body></html>")
    errors: list[str] = []
    with chromium_page(errors) as page:
        page.goto(page_file.as_uri(), wait_until="load")
    assert errors and "undefined_function" in errors[0]
