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
# # 4. A changing environment
#
# **What this teaches:** how to put a programme in a changing world and ask whether it
# helps more there. We add shocks (sudden jumps in a competency's requirement), faster
# obsolescence of skills, and compare a programme for new hires with lifelong learning —
# a programme open to everyone with large gaps.

# %%
# %matplotlib inline

# %%
import pandas as pd

from sim import MentoringModel, viz

SMALL = {"organisation__headcount": 200, "horizon_weeks": 104}
SEEDS = range(5)


def replicate(label, **overrides):
    """Weekly reporters of five seeds of one design, in long format."""
    frames = []
    for r, seed in enumerate(SEEDS):
        model = MentoringModel("mentoring", rng=seed, **SMALL, **overrides)
        frames.append(model.run().timeseries().reset_index().assign(design=label, replication=r))
    return pd.concat(frames, ignore_index=True)


# %% [markdown]
# ## Shocks
#
# A calm world (no shocks) against a turbulent one (three shocks a year, each raising one
# competency's requirement by 0.15). The mean required level climbs in steps, and the
# skill gap jumps with it.

# %%
calm = {"environment__shocks_per_year": 0.0}
turbulent = {"environment__shocks_per_year": 3.0, "environment__shock_size": 0.15}
shocks = pd.concat([replicate("calm", **calm), replicate("turbulent", **turbulent)])
viz.plot_trajectories(shocks, ["required_mean", "skill_gap"], band="range",
                      title="Calm vs turbulent (band: 95% of runs)")

# %% [markdown]
# Does the programme help more when the world is turbulent? Each environment with and
# without the programme, same seeds; the difference (programme minus none) in the last
# quarter's skill gap, its mean and spread over the seeds. Compare the two columns before
# drawing a conclusion: a larger (more negative) mean under turbulence would say yes.

# %%
arms = pd.concat([
    replicate("calm, programme", **calm),
    replicate("calm, none", **calm, programme__enabled=False),
    replicate("turbulent, programme", **turbulent),
    replicate("turbulent, none", **turbulent, programme__enabled=False),
])
last = arms[arms["week"] > 104 - 13].groupby(["design", "replication"])["skill_gap"].mean()
last = last.unstack("design")
pd.DataFrame({
    "calm": last["calm, programme"] - last["calm, none"],
    "turbulent": last["turbulent, programme"] - last["turbulent, none"],
}).agg(["mean", "std"]).round(5)

# %% [markdown]
# ## Obsolescence
#
# Skills not used decay; by default half of an unused skill is gone in 11 months. If the
# half-life were four months, gaps reopen faster and sustained mentoring matters more.

# %%
decay = pd.concat([
    replicate("half-life 11 months", **turbulent),
    replicate("half-life 4 months", **turbulent, learning__skill_half_life_months=4),
])
viz.plot_trajectories(decay, ["skill_gap", "proficient_share"])

# %% [markdown]
# ## Lifelong learning
#
# Under turbulence, a programme only for new hires (tenure under 26 weeks) against one open
# to everyone with the largest gaps (lifelong learning), and against none.

# %%
scope = pd.concat([
    replicate("none", **turbulent, programme__enabled=False),
    replicate("new hires only", **turbulent, programme__eligibility="new_hires"),
    replicate("everyone (largest gaps)", **turbulent, programme__eligibility="largest_gaps"),
])
viz.plot_trajectories(scope, ["skill_gap", "performance"])

# %% [markdown]
# **Try:** schedule a change instead of random shocks — the bundled `"digital_transformation"`
# scenario raises the digital requirement at a set week.
