"""The decision report of ``mentorsim plan``: no "nan", self-contained HTML, in a browser."""

import importlib.util
import json
import re
import time
from pathlib import Path

import pytest

from sim.experiment.plan import run_decision
from sim.viz import decision_report
from sim.viz.decision_report import fmt, interval, write_decision
from tests.paths import ROOT
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


def _devtools():
    spec = importlib.util.spec_from_file_location(
        "app_screenshot", ROOT / "benchmarks" / "app_screenshot.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.DevTools


RECORD_ERRORS = ("window.__errors = []; window.addEventListener('error', e => "
                 "window.__errors.push(String(e.message || e.type)), true); "
                 "const _error = console.error; console.error = (...a) => "
                 "{ window.__errors.push(a.join(' ')); _error(...a); };")


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(),
                    reason="/usr/bin/chromium is missing (apt-get install -y chromium)")
def test_decision_html_renders_in_headless_chromium(report):
    decision, out = report
    browser = _devtools()()
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget",
                               {"targetId": target, "flatten": True})["sessionId"]
        browser.send("Page.enable", session=session)
        browser.send("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_ERRORS},
                     session)
        browser.send("Page.navigate", {"url": (out / "decision.html").as_uri()}, session)

        def evaluate(expression: str):
            return browser.send("Runtime.evaluate", {"expression": expression,
                                                     "returnByValue": True},
                                session)["result"].get("value")

        deadline = time.monotonic() + 30
        while evaluate("document.readyState") != "complete" or not evaluate(
                "Array.from(document.images).every(i => i.complete)"):
            assert time.monotonic() < deadline, "decision.html did not load in 30 s"
            time.sleep(0.2)
        assert evaluate("document.title") == decision.title
        rows = evaluate("Array.from(document.querySelectorAll('#headline tbody tr'))"
                        ".map(r => r.cells[0].innerText)")
        assert rows == [m.label for m in decision.metrics]
        widths = evaluate("Array.from(document.images).map(i => i.naturalWidth)")
        assert len(widths) >= 2 and all(w > 0 for w in widths), widths
        assert json.loads(evaluate("JSON.stringify(window.__errors)")) == []
    finally:
        browser.close()
