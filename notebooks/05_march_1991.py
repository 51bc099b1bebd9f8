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
# # 5. March (1991): exploration and exploitation
#
# **What this teaches:** March's classic model of organisational learning, then what
# happens when individuals also learn from one another — peer mentoring.
#
# An organisation's *code* (its rules, routines) and its *n* individuals hold beliefs about
# an external reality of *m* dimensions. Individuals are socialised into the code at rate
# `p1`; the code learns from the individuals who outperform it at rate `p2`. March's
# finding: slow socialisation (low `p1`) keeps the diversity the code learns from, so the
# code ends up knowing more.

# %%
# %matplotlib inline

# %%
import pandas as pd

from sim.march.model import MarchModel


def run(max_periods=500, **params):
    """Run one March model to its equilibrium (or max_periods); return it."""
    model = MarchModel(**params)
    while model.running and model.steps < max_periods:
        model.step()
    return model


model = run(n=50, m=30, p1=0.1, p2=0.5, rng=1)
print("periods:", model.steps, "| code knowledge:", model.code_knowledge,
      "| mean individual knowledge:", model.individual_knowledge.mean().round(3))

# %% [markdown]
# The DataCollector records the code's and the individuals' knowledge every period:

# %%
history = model.datacollector.get_model_vars_dataframe()
ax = history.plot(figsize=(7, 3.5), style=["-", "--"])
ax.set_xlabel("period")
ax.set_ylabel("knowledge, share of reality known (-1 to 1)")
ax.set_title("One run: p1 = 0.1, p2 = 0.5");

# %% [markdown]
# ## March's Figure 1
#
# Equilibrium code knowledge against the socialisation rate `p1`, for three code-learning
# rates `p2`, averaged over 20 runs each.

# %%
rows = []
for p2 in (0.1, 0.5, 0.9):
    for p1 in (0.1, 0.3, 0.5, 0.7, 0.9):
        for seed in range(20):
            rows.append({"p1": p1, "p2": p2, "code_knowledge": run(n=50, m=30, p1=p1, p2=p2,
                                                                   rng=seed).code_knowledge})
fig1 = pd.DataFrame(rows)
table = fig1.groupby(["p1", "p2"])["code_knowledge"].mean().unstack("p2")
ax = table.plot(style=["o-", "s--", "^:"], figsize=(6, 3.8))
ax.set_xlabel("socialisation rate p1")
ax.set_ylabel("equilibrium code knowledge (-1 to 1)")
ax.legend(title="code learning p2")
table.round(3)

# %% [markdown]
# ## Peer mentoring (p5)
#
# Now individuals also copy beliefs from a better-performing peer, dimension by dimension,
# with probability `p5` — interpersonal learning, like informal peer mentoring (an
# extension in the spirit of Miller, Zhao & Calantone 2006). Does it help the code, or
# does it erase the diversity the code learns from?

# %%
rows = []
for p5 in (0.0, 0.05, 0.2, 0.5):
    for p1 in (0.1, 0.5, 0.9):
        for seed in range(20):
            m = run(n=50, m=30, p1=p1, p2=0.5, p5=p5, rng=seed)
            rows.append({"p5": p5, "p1": p1, "code_knowledge": m.code_knowledge,
                         "individuals": m.individual_knowledge.mean(), "periods": m.steps})
peer = pd.DataFrame(rows)
summary = peer.groupby(["p1", "p5"])[["code_knowledge", "individuals", "periods"]].mean()
summary.round(3)

# %%
table = peer.groupby(["p5", "p1"])["code_knowledge"].mean().unstack("p1")
ax = table.plot(style=["o-", "s--", "^:"], figsize=(6, 3.8))
ax.set_xlabel("peer learning rate p5")
ax.set_ylabel("equilibrium code knowledge (-1 to 1)")
ax.legend(title="socialisation p1");

# %% [markdown]
# **Read it:** compare the rows with `p5 = 0` (March's model) to those with peer learning:
# how fast the organisation settles (periods), what the individuals know, and what the
# code knows. Copying better peers speeds convergence; whether the code ends up knowing
# more depends on how much diversity survives until it has learned. See `docs/march.md`
# for the measured comparison with the paper.
