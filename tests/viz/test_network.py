"""sim.viz.network: the pair table and the network figure."""

import numpy as np
import pytest

from sim.viz import network
from tests.viz.images import assert_png


def test_mentoring_edges_are_the_current_pairs(model):
    edges = network.mentoring_edges(model)
    wf = model.workforce
    assert len(edges) == int(np.count_nonzero(wf.mentor >= 0)) > 0
    assert (wf.mentor[edges["mentee_slot"]] == edges["mentor_slot"]).all()
    assert (wf.pid[edges["mentor_slot"]] == edges["mentor"]).all()
    assert set(edges["kind"]) <= {"formal", "informal"}


@pytest.mark.parametrize("layout", ["career", "circle"])
def test_plot_network(model, tmp_path, layout):
    fig = network.plot_network(model, tmp_path / f"n_{layout}.png", layout=layout)
    assert_png(tmp_path / f"n_{layout}.png")
    segments = sum(len(c.get_segments()) for c in fig.axes[0].collections
                   if hasattr(c, "get_segments"))
    assert segments == len(network.mentoring_edges(model))


def test_layouts(model):
    x, y = network.network_layout(model, "career")
    wf = model.workforce
    assert np.allclose(x, wf.tenure_weeks / 52.0)
    ring_x, ring_y = network.network_layout(model, "circle")
    assert np.allclose(ring_x**2 + ring_y**2, 1.0)
    with pytest.raises(ValueError, match="layout"):
        network.network_layout(model, "spring")
