"""Write the teaching notebooks (without outputs) from the cells below.

    python notebooks/build_notebooks.py

Edit a notebook here, not in Jupyter, so the committed files stay output-free and
consistent; tests/test_notebooks.py executes each one top to bottom.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

SETUP = '''\
%matplotlib inline
import os
from pathlib import Path

# Work from the repository root (where pyproject.toml is), wherever Jupyter started.
root = Path.cwd().resolve()
while not (root / "pyproject.toml").exists() and root != root.parent:
    root = root.parent
os.chdir(root)'''


def md(text: str):
    """A markdown cell."""
    return new_markdown_cell(text.strip())


def code(text: str):
    """A code cell (no outputs)."""
    return new_code_cell(text.strip())


NB01 = [
    md("""
# 1. A first simulation

**What this teaches:** how to load a scenario, run the model week by week, plot what
happened, and look inside at the agents — who mentors whom.

mentorsim simulates an organisation whose employees have skills in a handful of
competencies. The work requires certain levels; people learn by doing, from mentors and
from their mentees, and forget what they do not use. A formal mentoring programme
matches people with the largest skill gaps to experienced mentors.
"""),
    code(SETUP),
    md("""
## Load a scenario and make a model

A scenario is a TOML file (`scenarios/mentoring.toml`: a year-long, gap-targeted
programme). Any field can be overridden with a keyword, `__` standing for the dots. We
keep the organisation small (300 employees) and the horizon short (two years) so it runs
in a second. We switch informal mentoring on as well, so there are two kinds of pairs.
"""),
    code('''
from sim import MentoringModel

model = MentoringModel(
    "scenarios/mentoring.toml",
    rng=1,                              # the seed: same seed, same numbers
    organisation__headcount=300,
    horizon_weeks=104,
    informal__enabled=True,
)
print(model.scenario.programme.matching, model.scenario.programme.duration_weeks, "weeks")
print("competencies:", model.environment.competencies)'''),
    md("""
## Run it

One `step()` is one week. `model.run()` steps until the horizon. Every week the
DataCollector records the reporters; `model.timeseries()` gives them as a pandas table.
"""),
    code('''
for _ in range(26):        # half a year, step by step...
    model.step()
print("week", model.steps, "pairs now:", int(model.metrics["pairs"]))
model.run()                # ...then to the horizon
weekly = model.timeseries()
weekly[["performance", "proficient_share", "skill_gap", "pairs", "headcount"]].tail()'''),
    md("""
## Plot it

`performance` is the organisation's skill performance as a share of what the work
requires, net of the time mentoring takes. The skill gap is what is missing, weighted by
how much each competency matters to the strategy.
"""),
    code('''
ax = weekly[["performance", "proficient_share"]].plot(figsize=(7, 3.5), style=["-", "--"])
ax.set_xlabel("week")
ax.set_ylabel("share (0-1)")
ax.set_title("Performance and proficiency");'''),
    md("""
## Inside the model: the agents

Employees are Mesa agents. `model.mentors` and `model.mentees` are AgentSets of who holds
each role *now*. An agent's attributes read the model's arrays.
"""),
    code('''
print(len(model.mentors), "mentors,", len(model.mentees), "mentees")
mentee = list(model.mentees)[0]
print(mentee, "is mentored by", mentee.mentor)
print("relationship quality:", round(mentee.relationship_quality, 2),
      "| pair age:", mentee.relationship_age_weeks, "weeks")
{k: round(v, 2) for k, v in mentee.skill_profile.items()}'''),
    md("""
Compare the mentee's skills with the mentor's: mentoring transfers skill where the mentor
is ahead, aimed at the mentee's most important gaps.
"""),
    code('''
import pandas as pd

pd.DataFrame({"mentee": mentee.skill_profile, "mentor": mentee.mentor.skill_profile,
              "required": dict(zip(model.environment.competencies, model.environment.required))}
             ).round(2)'''),
    md("""
## Who mentors whom

`sim.viz.plots.mentoring_edges` lists every current pair. Formal pairs come from the
programme; informal ones form by themselves, mostly by similarity and within one's own
group. The cross-table shows how much mentoring crosses group lines.
"""),
    code('''
from sim.viz import plots

edges = plots.mentoring_edges(model)
print(edges["kind"].value_counts().to_dict())
pd.crosstab([edges["kind"], edges["mentor_group"]], edges["mentee_group"],
            rownames=["kind", "mentor's group"], colnames=["mentee's group"])'''),
    md("""
The network: each dot is an employee placed by tenure (x) and skill performance (y),
coloured and shaped by group. Lines join a mentor (black edge) to a mentee; formal pairs
are solid, informal dashed. Mentors sit up and to the right of their mentees.
"""),
    code("plots.plot_network(model)"),
    md("""
## Where are the gaps?

The needs assessment behind the programme: the mean gap by group and competency. The
digital push in this scenario (week 52) shows as a column.
"""),
    code("plots.plot_gap_heatmap(model)"),
    md("""
**Try:** change `rng` and run again; set `programme__matching="random"`; or run the
command line `mentorsim run scenarios/mentoring.toml`. Next notebook: one run is one
draw — to compare designs we need many.
"""),
]

NB02 = [
    md("""
# 2. Comparing programme designs

**What this teaches:** a single run is one draw of chance. To compare designs, run each
with the same set of seeds (common random numbers), and show the mean with a 95%
confidence band; compare designs by their *paired* differences, seed by seed.
"""),
    code(SETUP),
    md("""
## Three designs, ten seeds each

No programme, a programme with random matching, and the gap-targeted programme. Same
organisation, same ten seeds. Small organisation and 18 months keep it quick.
"""),
    code('''
import pandas as pd

from sim import MentoringModel
from sim.viz import plots

DESIGNS = {
    "no programme": {"programme__enabled": False},
    "random matching": {"programme__matching": "random", "programme__targeted": False},
    "gap-targeted": {},
}
SMALL = {"organisation__headcount": 200, "horizon_weeks": 78}
SEEDS = range(10)

frames = []
for design, overrides in DESIGNS.items():
    for replication, seed in enumerate(SEEDS):
        model = MentoringModel("scenarios/mentoring.toml", rng=seed, **SMALL, **overrides)
        weekly = model.run().timeseries().reset_index()
        frames.append(weekly.assign(design=design, replication=replication, seed=seed))
runs = pd.concat(frames, ignore_index=True)
runs.shape'''),
    md("""
## Trajectories with confidence bands

The line is the mean over the ten seeds, the band its 95% confidence interval (a
t-interval: how well we know the mean, not how much one run varies).
"""),
    code('plots.plot_trajectories(runs, ["performance", "skill_gap", "proficient_share",\n'
         '                              "pairs"])'),
    md("""
The numbers behind the bands are plain pandas: for example the last week.
"""),
    code('''
bands = plots.band_statistics(runs, "skill_gap")
last = bands[bands["week"] == bands["week"].max()]
last.round(4)'''),
    md("""
## Paired differences

Because every design met the same seeds, we can subtract seed by seed. Most of the
seed-to-seed noise cancels, and the interval of the difference is much narrower than
the overlap of the two bands suggests.
"""),
    code('''
final = (runs[runs["week"] > runs["week"].max() - 13]          # the last quarter
         .groupby(["design", "replication"])["skill_gap"].mean().unstack("design"))
from scipy import stats

rows = []
for design in ["random matching", "gap-targeted"]:
    diff = final[design] - final["no programme"]
    half = stats.t.ppf(0.975, len(diff) - 1) * diff.std(ddof=1) / len(diff) ** 0.5
    rows.append({"design": design, "mean difference": diff.mean(),
                 "95% CI low": diff.mean() - half, "95% CI high": diff.mean() + half})
pd.DataFrame(rows).round(5)'''),
    code('''
plots.plot_programme_vs_control(runs, ["skill_gap", "performance"], treated="gap-targeted",
                                control="no programme")'''),
    md("""
**Read it:** where the lower band (the paired difference) clears zero, the programme made
a difference you can trust at these ten seeds. For real studies use
`mentorsim compare scenarios/baseline.toml scenarios/mentoring.toml --reps 30`, which
does the same with more replications, in parallel, and writes a report.
"""),
]

NB03 = [
    md("""
# 3. What matters most?

**What this teaches:** how to find which design choices move the outcome: a small sweep
over two factors (a heat-map), then a sensitivity analysis — one factor at a time, and a
(tiny) Sobol analysis with SALib.
"""),
    code(SETUP),
    code('''
import numpy as np
import pandas as pd

from sim import MentoringModel
from sim.viz import plots
from sim.model.reporters import run_summary

SMALL = {"organisation__headcount": 150, "horizon_weeks": 78}


def outcome(seed, **overrides):
    """Skill gap over the last quarter of one run (lower is better)."""
    model = MentoringModel("scenarios/mentoring.toml", rng=seed, **SMALL, **overrides).run()
    return run_summary(model)["skill_gap"]'''),
    md("""
## A sweep over two factors

How long pairs last and how many staff may be in pairs at once, three seeds per cell.
"""),
    code('''
rows = []
for weeks in (13, 26, 52):
    for share in (0.05, 0.10, 0.20):
        for seed in range(3):
            rows.append({"duration_weeks": weeks, "max_mentee_share": share, "seed": seed,
                         "skill_gap": outcome(seed, programme__duration_weeks=weeks,
                                              programme__max_mentee_share=share)})
sweep = pd.DataFrame(rows)
plots.plot_sweep_heatmap(sweep, "duration_weeks", "max_mentee_share", "skill_gap")'''),
    md("""
## One factor at a time

Move each factor from its default to a low and a high value, keeping the others at the
default, with the same seeds (paired). The effect is high minus low; its interval comes
from the spread over seeds.
"""),
    code('''
FACTORS = {   # scenario field: (low, high)
    "programme__duration_weeks": (13, 52),
    "programme__mentor_training_hours": (0.0, 16.0),
    "programme__max_mentee_share": (0.05, 0.2),
    "programme__meetings_per_month": (1.0, 4.0),
}
SEEDS = range(4)
from scipy import stats

effects = []
for factor, (low, high) in FACTORS.items():
    diff = np.array([outcome(s, **{factor: high}) - outcome(s, **{factor: low}) for s in SEEDS])
    half = stats.t.ppf(0.975, len(diff) - 1) * diff.std(ddof=1) / np.sqrt(len(diff))
    effects.append({"factor": factor.split("__")[1], "effect": diff.mean(), "effect_conf": half})
oat = pd.DataFrame(effects)
oat.round(5)'''),
    code('''
plots.plot_tornado(oat, value="effect", conf="effect_conf", secondary=None,
                   xlabel="change in skill gap, high - low (0-1)",
                   title="One at a time (4 seeds, paired)")'''),
    md("""
## Sobol indices (a tiny design)

One-at-a-time misses interactions. Sobol indices split the outcome's variance between
the factors: S1 is a factor's share alone, ST its share including interactions. SALib
draws the design; we run one replication per point. With so few points the intervals
are wide — that is the lesson: a real analysis needs hundreds of points
(`mentorsim sweep experiments/sweeps/sobol_programme.toml`, then `mentorsim analyse`).
"""),
    code('''
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
indices.round(3)'''),
    code('plots.plot_tornado(indices, title="Sobol indices of the skill gap (tiny design)")'),
]

NB04 = [
    md("""
# 4. A changing environment

**What this teaches:** how to put a programme in a changing world and ask whether it
helps more there. We add shocks (sudden jumps in a competency's requirement), faster
obsolescence of skills, and compare a programme for new hires with lifelong learning —
a programme open to everyone with large gaps.
"""),
    code(SETUP),
    code('''
import pandas as pd

from sim import MentoringModel
from sim.viz import plots

SMALL = {"organisation__headcount": 200, "horizon_weeks": 104}
SEEDS = range(5)


def replicate(label, **overrides):
    """Weekly reporters of five seeds of one design, in long format."""
    frames = []
    for r, seed in enumerate(SEEDS):
        model = MentoringModel("scenarios/mentoring.toml", rng=seed, **SMALL, **overrides)
        frames.append(model.run().timeseries().reset_index().assign(design=label, replication=r))
    return pd.concat(frames, ignore_index=True)'''),
    md("""
## Shocks

A calm world (no shocks) against a turbulent one (three shocks a year, each raising one
competency's requirement by 0.15). The mean required level climbs in steps, and the
skill gap jumps with it.
"""),
    code('''
calm = {"environment__shocks_per_year": 0.0}
turbulent = {"environment__shocks_per_year": 3.0, "environment__shock_size": 0.15}
shocks = pd.concat([replicate("calm", **calm), replicate("turbulent", **turbulent)])
plots.plot_trajectories(shocks, ["required_mean", "skill_gap"], band="range",
                        title="Calm vs turbulent (band: 95% of runs)")'''),
    md("""
Does the programme help more when the world is turbulent? Each environment with and
without the programme, same seeds; the difference (programme minus none) in the last
quarter's skill gap, its mean and spread over the seeds. Compare the two columns before
drawing a conclusion: a larger (more negative) mean under turbulence would say yes.
"""),
    code('''
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
}).agg(["mean", "std"]).round(5)'''),
    md("""
## Obsolescence

Skills not used decay; by default half of an unused skill is gone in 11 months. If the
half-life were four months, gaps reopen faster and sustained mentoring matters more.
"""),
    code('''
decay = pd.concat([
    replicate("half-life 11 months", **turbulent),
    replicate("half-life 4 months", **turbulent, learning__skill_half_life_months=4),
])
plots.plot_trajectories(decay, ["skill_gap", "proficient_share"])'''),
    md("""
## Lifelong learning

Under turbulence, a programme only for new hires (tenure under 26 weeks) against one open
to everyone with the largest gaps (lifelong learning), and against none.
"""),
    code('''
scope = pd.concat([
    replicate("none", **turbulent, programme__enabled=False),
    replicate("new hires only", **turbulent, programme__eligibility="new_hires"),
    replicate("everyone (largest gaps)", **turbulent, programme__eligibility="largest_gaps"),
])
plots.plot_trajectories(scope, ["skill_gap", "performance"])'''),
    md("""
**Try:** schedule a change instead of random shocks — `scenarios/digital_transformation.toml`
raises the digital requirement at a set week.
"""),
]

NB05 = [
    md("""
# 5. March (1991): exploration and exploitation

**What this teaches:** March's classic model of organisational learning, then what
happens when individuals also learn from one another — peer mentoring.

An organisation's *code* (its rules, routines) and its *n* individuals hold beliefs about
an external reality of *m* dimensions. Individuals are socialised into the code at rate
`p1`; the code learns from the individuals who outperform it at rate `p2`. March's
finding: slow socialisation (low `p1`) keeps the diversity the code learns from, so the
code ends up knowing more.
"""),
    code(SETUP),
    code('''
import numpy as np
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
      "| mean individual knowledge:", model.individual_knowledge.mean().round(3))'''),
    md("""
The DataCollector records the code's and the individuals' knowledge every period:
"""),
    code('''
history = model.datacollector.get_model_vars_dataframe()
ax = history.plot(figsize=(7, 3.5), style=["-", "--"])
ax.set_xlabel("period")
ax.set_ylabel("knowledge, share of reality known (-1 to 1)")
ax.set_title("One run: p1 = 0.1, p2 = 0.5");'''),
    md("""
## March's Figure 1

Equilibrium code knowledge against the socialisation rate `p1`, for three code-learning
rates `p2`, averaged over 20 runs each.
"""),
    code('''
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
table.round(3)'''),
    md("""
## Peer mentoring (p5)

Now individuals also copy beliefs from a better-performing peer, dimension by dimension,
with probability `p5` — interpersonal learning, like informal peer mentoring (an
extension in the spirit of Miller, Zhao & Calantone 2006). Does it help the code, or
does it erase the diversity the code learns from?
"""),
    code('''
rows = []
for p5 in (0.0, 0.05, 0.2, 0.5):
    for p1 in (0.1, 0.5, 0.9):
        for seed in range(20):
            m = run(n=50, m=30, p1=p1, p2=0.5, p5=p5, rng=seed)
            rows.append({"p5": p5, "p1": p1, "code_knowledge": m.code_knowledge,
                         "individuals": m.individual_knowledge.mean(), "periods": m.steps})
peer = pd.DataFrame(rows)
summary = peer.groupby(["p1", "p5"])[["code_knowledge", "individuals", "periods"]].mean()
summary.round(3)'''),
    code('''
table = peer.groupby(["p5", "p1"])["code_knowledge"].mean().unstack("p1")
ax = table.plot(style=["o-", "s--", "^:"], figsize=(6, 3.8))
ax.set_xlabel("peer learning rate p5")
ax.set_ylabel("equilibrium code knowledge (-1 to 1)")
ax.legend(title="socialisation p1");'''),
    md("""
**Read it:** compare the rows with `p5 = 0` (March's model) to those with peer learning:
how fast the organisation settles (periods), what the individuals know, and what the
code knows. Copying better peers speeds convergence; whether the code ends up knowing
more depends on how much diversity survives until it has learned. See `docs/march.md`
for the measured comparison with the paper.
"""),
]

NOTEBOOKS = {
    "01_first_simulation.ipynb": NB01,
    "02_compare_programmes.ipynb": NB02,
    "03_what_matters.ipynb": NB03,
    "04_changing_environment.ipynb": NB04,
    "05_march_1991.ipynb": NB05,
}


def build(directory: Path = HERE) -> list[Path]:
    """Write every notebook into ``directory``; return the paths."""
    written = []
    for name, cells in NOTEBOOKS.items():
        notebook = new_notebook(cells=cells, metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        })
        path = directory / name
        nbformat.write(notebook, path)
        written.append(path)
    return written


if __name__ == "__main__":
    for path in build():
        print(f"wrote {path}")
