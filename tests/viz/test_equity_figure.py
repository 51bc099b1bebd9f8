"""sim.viz.equity: ``equity.png``, the groups' gaps over weeks, by arm."""

import numpy as np
import pytest

from sim.config import load_scenario
from sim.experiment.run import run_scenario
from sim.viz import run_report
from sim.viz.equity import EQUITY_SIZE, plot_equity
from tests.analysis.test_equity import ONE_GROUP, hand_made
from tests.paths import BASELINE
from tests.viz.images import assert_png


def pixels(path):
    from PIL import Image

    with Image.open(path) as image:
        return image.format, image.size


def test_the_figure_is_a_png_of_the_expected_size(tmp_path):
    run = hand_made(underrepresented_in_pair=np.linspace(0.0, 0.3, 71))
    control = hand_made(underrepresented_in_pair=0.05)
    path = tmp_path / "equity.png"
    fig = plot_equity(run, control, path, "hand-made")
    assert_png(path)
    assert pixels(path) == ("PNG", (round(EQUITY_SIZE[0] * 100), round(EQUITY_SIZE[1] * 100)))
    axes = fig.axes
    assert len(axes) == 6
    # each by-group panel: two groups, solid for the run, dashed for the control arm
    styles = [line.get_linestyle() for line in axes[0].get_lines()]
    assert styles == ["-", "-", "--", "--"]
    assert len(axes[5].get_lines()) == 3  # parity line and the two arms' ratios
    alone = plot_equity(run, None, None)
    assert [line.get_linestyle() for line in alone.axes[0].get_lines()] == ["-", "-"]


def test_the_figure_needs_the_equity_reporters():
    with pytest.raises(ValueError, match="equity reporters"):
        plot_equity(hand_made().drop(columns="majority_in_pair"))


def test_a_run_directory_gets_it_only_with_an_underrepresented_group(tmp_path):
    result = run_scenario(load_scenario(BASELINE, ONE_GROUP), seed=1)
    written = run_report.write_run_figures(result, tmp_path / "one")
    assert "equity.png" not in [p.name for p in written]
    assert not (tmp_path / "one" / "equity.png").exists()
    groups = run_scenario(load_scenario(BASELINE, {"organisation.headcount": 80,
                                                   "horizon_weeks": 8}), seed=1)
    written = run_report.write_run_figures(groups, tmp_path / "two")
    assert written[-1].name == "equity.png"
    assert_png(written[-1])
