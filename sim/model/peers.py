"""Peer learning inside a mentoring group: members learn from each other.

In a professional learning community the members learn from each other, not only from the
facilitator (Hudson 2013). For the formal pairs of a group-format programme, each member
moves towards the mean of the other members of the same group where they are ahead, in
every competency: ``peer_rate_per_hour x aptitude x quality x contact_hours x
max(mean_others - s, 0)``, from the skills at the start of the week (like the mentor's
transfer, docs/ODD.md 7.1), within the group's session time (no extra hours). A group of
one has no peers.
"""

from __future__ import annotations

import numpy as np

from sim.model.relationships import FORMAL
from sim.model.workforce import Workforce


def peer_gains(workforce: Workforce, rate_per_hour: float) -> tuple[np.ndarray, np.ndarray]:
    """What each member of a formal mentoring group learns from the others this week.

    Args:
        workforce: The arrays (skills at the start of the week).
        rate_per_hour: ``learning.peer_rate_per_hour``.

    Returns:
        (slots of the members, float64 (len(slots), K) skill gains), empty when there are
        no groups of two or more.

    """
    wf = workforce
    members = np.flatnonzero(wf.pair_kind == FORMAL)
    k = wf.skills.shape[1]
    if rate_per_hour <= 0 or members.shape[0] < 2:
        return members[:0], np.zeros((0, k))
    _, group = np.unique(wf.mentor[members], return_inverse=True)
    size = np.bincount(group)
    in_group = size[group] > 1
    members, group = members[in_group], group[in_group]
    if members.shape[0] == 0:
        return members, np.zeros((0, k))
    own = wf.skills[members]
    total = np.zeros((size.shape[0], k))
    np.add.at(total, group, own)
    others = (total[group] - own) / (size[group] - 1)[:, None]
    scale = rate_per_hour * wf.aptitude[members] * wf.quality[members] \
        * wf.contact_hours[members]
    return members, scale[:, None] * np.maximum(others - own, 0.0)
