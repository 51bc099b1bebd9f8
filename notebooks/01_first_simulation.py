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
# # 1. A first simulation
#
# **What this teaches:** how to load a scenario, run the model week by week, plot what
# happened, and look inside at the agents — who mentors whom.
#
# mentorsim simulates an organisation whose employees have skills in a handful of
# competencies. The work requires certain levels; people learn by doing, from mentors and
# from their mentees, and forget what they do not use. A formal mentoring programme
# matches people with the largest skill gaps to experienced mentors.

# %%
# %matplotlib inline

# %% [markdown]
# ## Load a scenario and make a model
#
# A scenario is a TOML file; mentorsim ships several, found by name wherever it is
# installed (`mentorsim scenarios` lists them). `"mentoring"` is a year-long, gap-targeted
# programme. Any field can be overridden with a keyword, `__` standing for the dots. We
# keep the organisation small (300 employees) and the horizon short (two years) so it runs
# in a second. We switch informal mentoring on as well, so there are two kinds of pairs.

# %%
from sim import MentoringModel

model = MentoringModel(
    "mentoring",
    rng=1,                              # the seed: same seed, same numbers
    organisation__headcount=300,
    horizon_weeks=104,
    informal__enabled=True,
)
print(model.scenario.programme.matching, model.scenario.programme.duration_weeks, "weeks")
print("competencies:", model.environment.competencies)

# %% [markdown]
# ## Run it
#
# One `step()` is one week. `model.run()` steps until the horizon. Every week the
# DataCollector records the reporters; `model.timeseries()` gives them as a pandas table.

# %%
for _ in range(26):        # half a year, step by step...
    model.step()
print("week", model.steps, "pairs now:", int(model.metrics["pairs"]))
model.run()                # ...then to the horizon
weekly = model.timeseries()
weekly[["performance", "proficient_share", "skill_gap", "pairs", "headcount"]].tail()

# %% [markdown]
# ## Plot it
#
# `performance` is the organisation's skill performance as a share of what the work
# requires, net of the time mentoring takes. The skill gap is what is missing, weighted by
# how much each competency matters to the strategy.

# %%
ax = weekly[["performance", "proficient_share"]].plot(figsize=(7, 3.5), style=["-", "--"])
ax.set_xlabel("week")
ax.set_ylabel("share (0-1)")
ax.set_title("Performance and proficiency");

# %% [markdown]
# ## Inside the model: the agents
#
# Employees are Mesa agents. `model.mentors` and `model.mentees` are AgentSets of who holds
# each role *now*. An agent's attributes read the model's arrays.

# %%
print(len(model.mentors), "mentors,", len(model.mentees), "mentees")
mentee = list(model.mentees)[0]
print(mentee, "is mentored by", mentee.mentor)
print("relationship quality:", round(mentee.relationship_quality, 2),
      "| pair age:", mentee.relationship_age_weeks, "weeks")
{k: round(v, 2) for k, v in mentee.skill_profile.items()}

# %% [markdown]
# Compare the mentee's skills with the mentor's: mentoring transfers skill where the mentor
# is ahead, aimed at the mentee's most important gaps.

# %%
import pandas as pd

pd.DataFrame({"mentee": mentee.skill_profile, "mentor": mentee.mentor.skill_profile,
              "required": dict(zip(model.environment.competencies,
                                       model.environment.required, strict=True))}
             ).round(2)

# %% [markdown]
# ## Who mentors whom
#
# `sim.viz.mentoring_edges` lists every current pair. Formal pairs come from the
# programme; informal ones form by themselves, mostly by similarity and within one's own
# group. The cross-table shows how much mentoring crosses group lines.

# %%
from sim import viz

edges = viz.mentoring_edges(model)
print(edges["kind"].value_counts().to_dict())
pd.crosstab([edges["kind"], edges["mentor_group"]], edges["mentee_group"],
            rownames=["kind", "mentor's group"], colnames=["mentee's group"])

# %% [markdown]
# The network: each dot is an employee placed by tenure (x) and skill performance (y),
# coloured and shaped by group. Lines join a mentor (black edge) to a mentee; formal pairs
# are solid, informal dashed. Mentors sit up and to the right of their mentees.

# %%
viz.plot_network(model)

# %% [markdown]
# ## Where are the gaps?
#
# The needs assessment behind the programme: the mean gap by group and competency. The
# digital push in this scenario (week 52) shows as a column.

# %%
from sim.model.needs import gap_table

viz.plot_gap_heatmap(gap_table(model))

# %% [markdown]
# **Try:** change `rng` and run again; set `programme__matching="random"`; or run the
# command line `mentorsim run mentoring`. Next notebook: one run is one
# draw — to compare designs we need many.
