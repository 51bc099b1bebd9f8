"""numba kernels of the mentoring model, with their validated public wrappers beside them.

One module per concern, each holding its kernels (private ``_name`` functions taking only
arrays and scalars) and the public functions that check their inputs and call them:

* :mod:`~sim.kernels.random`: counter-based random streams (``STREAM_*``,
  :func:`counter_uniforms`; ``splitmix64`` for kernels elsewhere).
* :mod:`~sim.kernels.learning`: the weekly skill update and mentoring along pair links
  (:func:`learn_week`, :func:`pair_index`, :class:`LearningRates`).
* :mod:`~sim.kernels.matching`: gap scores and greedy matching under capacity
  (:func:`match_gap_targeted`, :func:`match_by_scores`).
* :mod:`~sim.kernels.distributions`: beta quantiles of counter-based uniforms, for
  hires' skills (:func:`beta_quantiles`).
* :mod:`~sim.kernels.pools`: this week's informal seekers, the seniors with free
  places and each senior's service hours (:func:`informal_seekers`,
  :func:`free_seniors`, :func:`service_hours`).
* :mod:`~sim.kernels.flows`: ageing, quits, retirements (:func:`age_and_leave`);
  commitment and promotions (:func:`update_outcomes`).
* :mod:`~sim.kernels.sums`: the weekly sums the reporters are made of (:data:`SUMS`,
  :class:`Sum`, :func:`weekly_sums`) and the equity reporters' sums by side
  (:data:`GROUP_SUMS`, :func:`group_sums`).
* :mod:`~sim.kernels.threads`: thread policy (serial twins, :func:`kernel_for`,
  :func:`set_threads`, :func:`configure_threading`).

Importing the package changes no process-wide setting: the threading policy (numba's
threading layer, ``OMP_WAIT_POLICY``) is applied on first use, before numba starts its
threads (see :mod:`~sim.kernels.threads`). Every kernel has a slow, obvious twin in
``tests/naive.py`` and is tested against it.
"""

from sim.kernels.distributions import beta_quantiles
from sim.kernels.flows import age_and_leave, update_outcomes
from sim.kernels.learning import LearningRates, learn_week, pair_index
from sim.kernels.matching import match_by_scores, match_gap_targeted
from sim.kernels.pools import free_seniors, informal_seekers, service_hours
from sim.kernels.random import (
    STREAM_EARLY_ENDING,
    STREAM_HIRE_AGE,
    STREAM_HIRE_APTITUDE,
    STREAM_HIRE_GROUP,
    STREAM_HIRE_ROLE,
    STREAM_HIRE_SKILL,
    STREAM_HIRE_TRAIT,
    STREAM_INFORMAL,
    STREAM_LEARNING,
    STREAM_PROMOTION,
    STREAM_QUIT,
    STREAM_ROLLOUT,
    STREAM_VACANCY,
    STREAM_WILLING,
    counter_uniform_columns,
    counter_uniforms,
)
from sim.kernels.sums import (
    GROUP_SUM_INDEX,
    GROUP_SUM_NAMES,
    GROUP_SUMS,
    N_GROUP_SUMS,
    N_SUMS,
    SUM_INDEX,
    SUM_NAMES,
    SUMS,
    Sum,
    group_sums,
    weekly_sums,
)
from sim.kernels.threads import (
    SERIAL,
    configure_threading,
    kernel_for,
    last_level_cache_bytes,
    parallel_min_bytes,
    set_parallel_min_bytes,
    set_threads,
    threads_for,
)

__all__ = [
    "GROUP_SUMS",
    "GROUP_SUM_INDEX",
    "GROUP_SUM_NAMES",
    "N_GROUP_SUMS",
    "N_SUMS",
    "SERIAL",
    "STREAM_EARLY_ENDING",
    "STREAM_HIRE_AGE",
    "STREAM_HIRE_APTITUDE",
    "STREAM_HIRE_GROUP",
    "STREAM_HIRE_ROLE",
    "STREAM_HIRE_SKILL",
    "STREAM_HIRE_TRAIT",
    "STREAM_INFORMAL",
    "STREAM_LEARNING",
    "STREAM_PROMOTION",
    "STREAM_QUIT",
    "STREAM_ROLLOUT",
    "STREAM_VACANCY",
    "STREAM_WILLING",
    "SUMS",
    "SUM_INDEX",
    "SUM_NAMES",
    "LearningRates",
    "Sum",
    "age_and_leave",
    "beta_quantiles",
    "configure_threading",
    "counter_uniform_columns",
    "counter_uniforms",
    "free_seniors",
    "group_sums",
    "informal_seekers",
    "kernel_for",
    "last_level_cache_bytes",
    "learn_week",
    "match_by_scores",
    "match_gap_targeted",
    "pair_index",
    "parallel_min_bytes",
    "set_parallel_min_bytes",
    "service_hours",
    "set_threads",
    "threads_for",
    "update_outcomes",
    "weekly_sums",
]
