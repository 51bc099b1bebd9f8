# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 3. What matters most?
#
# **What this teaches:** how to find which design choices move the outcome: a small sweep
# over two factors (a heat-map), then a sensitivity analysis — one factor at a time, and a
# (tiny) Sobol analysis with SALib.

# %%
# %matplotlib inline

# %%
import numpy as np
import pandas as pd

from sim import MentoringModel, viz
from sim.analysis.stats import paired_ci
from sim.model.reporters import run_summary

SMALL = {"organisation__headcount": 150, "horizon_weeks": 78}


def outcome(seed, **overrides):
    """Skill gap over the last quarter of one run (lower is better)."""
    model = MentoringModel("mentoring", rng=seed, **SMALL, **overrides).run()
    return run_summary(model)["skill_gap"]


# %% [markdown]
# ## A sweep over two factors
#
# How long pairs last and how many staff may be in pairs at once, three seeds per cell.

# %%
rows = []
for weeks in (13, 26, 52):
    for share in (0.05, 0.10, 0.20):
        for seed in range(3):
            rows.append({"duration_weeks": weeks, "max_mentee_share": share, "seed": seed,
                         "skill_gap": outcome(seed, programme__duration_weeks=weeks,
                                              programme__max_mentee_share=share)})
sweep = pd.DataFrame(rows)
viz.plot_sweep_heatmap(sweep, "duration_weeks", "max_mentee_share", "skill_gap")

# %% [markdown]
# ## One factor at a time
#
# Move each factor from its default to a low and a high value, keeping the others at the
# default, with the same seeds (paired). The effect is high minus low; its interval comes
# from the spread over seeds.

# %%
FACTORS = {   # scenario field: (low, high)
    "programme__duration_weeks": (13, 52),
    "programme__mentor_training_hours": (0.0, 16.0),
    "programme__max_mentee_share": (0.05, 0.2),
    "programme__meetings_per_month": (1.0, 4.0),
}
SEEDS = range(4)

effects = []
for factor, (low, high) in FACTORS.items():
    effect = paired_ci([outcome(s, **{factor: high}) for s in SEEDS],
                       [outcome(s, **{factor: low}) for s in SEEDS])
    effects.append({"factor": factor.split("__")[1], "effect": effect.estimate,
                    "effect_conf": effect.half})
oat = pd.DataFrame(effects)
oat.round(5)

# %%
viz.plot_tornado(oat, value="effect", conf="effect_conf", secondary=None,
                 xlabel="change in skill gap, high - low (0-1)",
                 title="One at a time (4 seeds, paired)")

# %% [markdown]
# ## Sobol indices (a tiny design)
#
# One-at-a-time misses interactions. Sobol indices split the outcome's variance between
# the factors: S1 is a factor's share alone, ST its share including interactions. SALib
# draws the design; we run one replication per point. With so few points the intervals
# are wide — that is the lesson: a real analysis needs hundreds of points
# (`mentorsim sweep experiments/sweeps/sobol_programme.toml`, then `mentorsim analyse`).

# %%
from SALib.analyze import sobol
from SALib.sample import sobol as sobol_sample

problem = {"num_vars": 3,
           "names": ["duration_weeks", "mentor_training_hours", "max_mentee_share"],
           "bounds": [[13, 52], [0, 16], [0.05, 0.2]]}
design = sobol_sample.sample(problem, 8, calc_second_order=False, seed=1)
y = np.array([outcome(0, programme__duration_weeks=int(round(d)),
                      programme__mentor_training_hours=float(t),
                      programme__max_mentee_share=float(s)) for d, t, s in design])
result = sobol.analyze(problem, y, calc_second_order=False, seed=1)
indices = pd.DataFrame({"factor": problem["names"], "S1": result["S1"],
                        "S1_conf": result["S1_conf"], "ST": result["ST"],
                        "ST_conf": result["ST_conf"]})
print(len(design), "runs")
indices.round(3)

# %%
viz.plot_tornado(indices, title="Sobol indices of the skill gap (tiny design)")
