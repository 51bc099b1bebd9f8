"""sim.viz.app (the SolaraViz page) headless, `mentorsim app`, and a real browser screenshot."""

import importlib.util
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("solara", reason="the app needs the viz extra")

import solara  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sim import cli  # noqa: E402
from sim.cli import app as app_command  # noqa: E402
from sim.viz.style import COLOURS  # noqa: E402
from tests.paths import ROOT  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def app():
    import sim.viz.app

    return sim.viz.app


def defaults(app):
    return {name: spec["value"] for name, spec in app.model_params.items()}


def test_page_builds(app):
    assert app.page is not None
    assert isinstance(app.model, app.AppModel)
    assert app.model.workforce.size == 300
    for name in ("programme", "matching", "format", "duration_weeks", "mentees_per_mentor",
                 "mentor_training_hours", "eligibility", "shocks_per_year", "shock_size"):
        assert name in app.model_params


def test_model_from_default_params_steps(app):
    model = app.AppModel(**defaults(app))
    assert model.scenario.programme.enabled and model.workforce.size == 300
    for _ in range(6):
        model.step()
    frame = model.timeseries()
    assert len(frame) == 7 and frame["pairs"].iloc[-1] > 0
    for series in app.SERIES:
        fig = app.timeseries_figure(model, series)
        assert isinstance(fig, Figure) and fig.axes[0].get_xlabel() == "week"
        first = fig.axes[0].get_lines()[0]
        assert first.get_color() == COLOURS[0]  # the house style, as in every figure
        assert np.allclose(first.get_ydata(), frame[list(app.SERIES[series][1])[0]])
    gaps = app.gap_figure(model)
    assert gaps.axes[0].get_title().endswith("week 6")


@pytest.mark.parametrize("choice", [{"matching": "reverse"}, {"eligibility": "group"},
                                    {"format": "group", "mentees_per_mentor": 4},
                                    {"programme": False, "seed": "not a number"}])
def test_every_control_builds_a_valid_model(app, choice):
    model = app.AppModel(**{**defaults(app), **choice, "headcount": 120})
    model.step()
    assert model.steps == 1


def test_controls_reach_the_scenario(app):
    model = app.AppModel(**{**defaults(app), "headcount": 100, "duration_weeks": 26,
                            "shocks_per_year": 2.0, "matching": "random"})
    design = model.scenario.programme
    assert (design.duration_weeks, design.matching) == (26, "random")
    assert model.scenario.environment.shocks_per_year == 2.0


def test_network_component_renders_a_figure(app):
    import ipywidgets

    model = app.AppModel(**{**defaults(app), "headcount": 150})
    for _ in range(8):
        model.step()
    fig = app.network_figure(model)
    assert isinstance(fig, Figure)
    segments = sum(len(c.get_segments()) for c in fig.axes[0].collections
                   if hasattr(c, "get_segments"))
    assert segments == int(np.count_nonzero(model.workforce.mentor >= 0)) > 0
    _, rc = solara.render(app.NetworkView(model), handle_error=False)
    images = rc.find(ipywidgets.Image).widgets
    assert images and images[0].value[:8] == b"\x89PNG\r\n\x1a\n" and len(images[0].value) > 5000


def test_app_command_is_registered(monkeypatch):
    calls = []
    # the server is started by serve() (it dies with the command); here only its argv
    monkeypatch.setattr(app_command, "serve", lambda cmd: calls.append(cmd) or 0)
    assert cli.main(["app", "--port", "9999", "--host", "0.0.0.0", "--no-open"]) == 0
    (cmd,) = calls
    assert cmd[1:4] == ["-m", "solara", "run"] and cmd[4].endswith("sim/viz/app.py")
    assert cmd[cmd.index("--port") + 1] == "9999" and cmd[cmd.index("--host") + 1] == "0.0.0.0"
    assert "--no-open" in cmd


def _screenshot_module():
    spec = importlib.util.spec_from_file_location(
        "app_screenshot", ROOT / "benchmarks" / "app_screenshot.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(),
                    reason="/usr/bin/chromium is missing (apt-get install -y chromium)")
def test_browser_screenshot_shows_controls_and_plots(tmp_path):
    from importlib.metadata import PackageNotFoundError, version

    from PIL import Image

    # Mesa 3.3's SolaraViz uses Vuetify 2 names (TabsItems), and offline the page's
    # JavaScript comes from solara-assets, which ships the Vuetify 2 bundle solara asks for.
    assert int(version("ipyvuetify").split(".")[0]) < 2, \
        "the viz extra needs ipyvuetify<2 (Mesa 3.3's SolaraViz breaks on Vuetify 3)"
    try:
        version("solara-assets")
    except PackageNotFoundError:
        pytest.fail("the viz extra needs solara-assets (the page's JavaScript, offline)")
    shot = _screenshot_module()
    log = tmp_path / "solara.log"
    start = time.monotonic()
    with shot.serve_app(shot.free_port(), log=log, timeout=120) as url:
        shot.screenshot(url, tmp_path / "app.png", timeout=120, weeks=4)
    png = tmp_path / "app.png"
    assert png.exists() and png.stat().st_size > 50_000, log.read_text()[-2000:]
    pixels = np.asarray(Image.open(png).convert("RGB"), dtype=float)
    assert pixels.shape[:2] == (1000, 1400)
    assert pixels.std() > 20  # not blank
    # the blue app bar at the top and dark plot lines in the main area
    assert pixels[:40, :, 2].mean() > pixels[:40, :, 0].mean() + 40
    assert (pixels[150:, 400:].min(axis=2) < 80).mean() > 0.005
    assert time.monotonic() - start < 240
