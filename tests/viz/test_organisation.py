"""sim.viz.organisation: one run's reporters and its skill-gap heat-map."""

import numpy as np
import pandas as pd

from sim.model.needs import gap_table
from sim.viz import organisation, style
from tests.viz.images import assert_png


def test_plot_run_draws_every_panel(model, tmp_path):
    frame = model.timeseries()
    fig = organisation.plot_run(frame, tmp_path / "run.png", "a run")
    assert_png(tmp_path / "run.png")
    assert len(fig.axes) == len(organisation.RUN_PANELS)
    first = fig.axes[0]
    assert first.get_title() == "Organisation performance"
    assert np.allclose(first.get_lines()[0].get_ydata(), frame["performance"])
    assert first.get_lines()[1].get_linestyle() == "--"  # house style: line styles cycle
    assert fig.axes[-1].get_xlabel() == "week"


def test_a_series_keeps_its_style_when_another_is_missing():
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [np.nan, np.nan], "c": [0.5, 0.4]})
    fig = organisation.plot_run(frame, panels=[("t", {"a": "A", "b": "B", "c": "C"}, "y")])
    lines = fig.axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["A", "C"]
    assert lines[1].get_color() == style.series_style(2)["color"]


def test_plot_gap_heatmap(model, tmp_path):
    table = gap_table(model)
    fig = organisation.plot_gap_heatmap(table, path=tmp_path / "g.png")
    assert_png(tmp_path / "g.png", 5000)
    image = fig.axes[0].get_images()[0].get_array()
    competencies = list(model.environment.competencies)
    assert np.allclose(image, table[competencies].to_numpy())
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels == competencies  # the summary columns are not competencies
    rows = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert rows[-1] == f"all (n = {int(table.loc['all', 'employees'])})"
