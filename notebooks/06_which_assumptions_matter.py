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
# # 6. Which assumptions matter?
#
# **What this teaches:** the model rests on assumptions the literature pins down only to a
# range — how fast mentees learn, how much mentoring cuts turnover, what a leaver costs.
# A Sobol analysis over those *priors* (instead of over design levers) says which of them
# drive a programme's effect and its return on investment, so you know which numbers to
# check for your organisation before trusting the ROI.

# %%
# %matplotlib inline

# %%
import tempfile
from pathlib import Path

from sim import viz
from sim.config import prior_set
from sim.experiment.designs import sweep_from_dict
from sim.experiment.runner import run_sweep
from sim.viz.sweep_report import analyse

# %% [markdown]
# ## The priors
#
# The bundled `literature` set gives eleven parameters a distribution over the research
# notes' plausible range, with its mode at the model's default.

# %%
for name, prior in prior_set("literature").items():
    low, high = prior.frozen().ppf([0.05, 0.95])
    print(f"{name:<40} {prior.dist:<8} 90% of the mass in [{low:.4g}, {high:.4g}]")

# %% [markdown]
# ## A tiny Sobol sweep over them
#
# The sweep is the same as `experiments/sweeps/sobol_priors.toml`, only much smaller:
# `[sobol] priors = "literature"` varies every prior; SALib draws Saltelli's sample on the
# unit cube and each column goes through its prior's quantile function (ppf), so each
# parameter has its prior's distribution. Every run has a control arm (the same seed
# without the programme), so the outcomes are the programme's *effect* and its ROI.
# N = 4 base samples give 4 x (11 + 2) = 52 runs of 150 employees over 78 weeks.

# %%
sweep = sweep_from_dict({
    "base": "mentoring", "design": "sobol", "samples": 4, "second_order": False,
    "replications": 1, "seed": 1,
    "set": {"organisation.headcount": 150, "horizon_weeks": 78,
            "evaluation.control": "no_programme"},
    "sobol": {"priors": "literature",
              "outcomes": ["level4_results.performance_difference",
                           "level5_roi.roi_percent"]},
}, "notebook")
with tempfile.TemporaryDirectory() as tmp:
    outcome = run_sweep(sweep, Path(tmp) / "priors", progress=False)
    analysis = analyse(Path(tmp) / "priors", plots=False)
print(outcome.runs, "runs in", round(outcome.seconds, 1), "s")
indices = analysis.sobol
indices.round(3)

# %% [markdown]
# ## Reading the indices
#
# * **S1** (first order) is the share of the outcome's variance a prior explains on its
#   own: fix it at its true value and the variance would fall by that share, on average.
# * **ST** (total) adds every interaction it takes part in: fixing all the *other*
#   priors leaves that share. ST >= S1 in theory; a prior with ST near 0 can be fixed
#   anywhere in its range without changing the answer — no need to research it.
# * The bars' whiskers are 95% bootstrap intervals. At N = 4 they are enormous and the
#   estimates can even leave [0, 1] (S1 < 0, ST > 1): the ranking is a sketch. Replication
#   noise inflates them too (it is variance no prior explains). The bundled sweep (N = 32,
#   two replications) narrows them; a paper wants N = 256 or more.

# %%
roi = indices[indices["outcome"] == "level5_roi.roi_percent"].drop(columns="outcome")
viz.plot_tornado(roi, xlabel="Sobol index (share of variance)",
                 title="What drives the ROI? (tiny design, bars: 95% intervals)")

# %%
effect = indices[indices["outcome"] == "level4_results.performance_difference"]
viz.plot_tornado(effect.drop(columns="outcome"), xlabel="Sobol index (share of variance)",
                 title="What drives the performance effect? (tiny design)")

# %% [markdown]
# Priors that only enter the evaluation (what a leaver costs, what an hour of output is
# worth) can matter for the ROI but not for the effect: they change no one's behaviour.
#
# ## At scale
#
# ```
# mentorsim sweep experiments/sweeps/sobol_priors.toml --executor processes
# mentorsim analyse results/sobol_priors
# ```
#
# writes `sensitivity_<outcome>.png` (these plots), `sobol.csv` and `sobol.md` (the
# table with intervals) under `results/sobol_priors/analysis/`; see "Sensitivity to
# assumptions" in `docs/experiments.md`.
