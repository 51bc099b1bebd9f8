"""sim.viz.style: the house style and the helpers every figure is drawn with."""

import matplotlib

from sim.viz import style


def test_style_is_a_context():
    before = matplotlib.rcParams["axes.spines.top"]
    with style.house_style():
        assert matplotlib.rcParams["axes.spines.top"] is False
        assert matplotlib.rcParams["image.cmap"] == style.SEQUENTIAL
    assert matplotlib.rcParams["axes.spines.top"] == before


def test_series_style_changes_colour_and_line_together():
    looks = [style.series_style(i) for i in range(len(style.COLOURS) + 1)]
    assert len({(look["color"], str(look["linestyle"])) for look in looks[:-1]}) == len(looks) - 1
    assert looks[-1] == looks[0]


def test_labels_carry_units():
    assert style.label_for("skill_gap") == "strategy-weighted skill gap (0-1)"
    assert style.label_for("some_reporter") == "some reporter"


def test_figure_grid_and_save(tmp_path):
    fig, axes = style.figure(2, 3)
    assert axes.shape == (2, 3) and fig.get_layout_engine() is not None
    assert style.panel_grid(5, 2) == (3, 2) and style.panel_grid(1, 3) == (1, 1)
    style.hide_unused(axes, 4)
    assert [ax.get_visible() for ax in axes.flat] == [True] * 4 + [False] * 2
    path = tmp_path / "deep" / "f.png"
    assert style.save(fig, path) is fig and path.read_bytes()[:4] == b"\x89PNG"
    assert style.save(fig, None) is fig


def test_no_pyplot_is_imported():
    import subprocess
    import sys

    code = ("import sys, sim.viz, sim.viz.run_report, sim.viz.comparison_report, "
            "sim.viz.sweep_report; print('matplotlib.pyplot' in sys.modules, "
            "'matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.split() == ["False", "False"]
