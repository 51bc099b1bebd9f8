"""The decision report of a plan: ``decision.md`` and a self-contained ``decision.html``.

Written from a :class:`sim.experiment.plan.Decision`: a headline table of the decision
metrics with 95% intervals (the reference, ``no programme``, first), the probability that
each design is best on each metric, budget and objective flags, a cost–effect plane, the
effect's time profile, a plain-language paragraph made from the numbers, the assumptions
that matter most (the variance split, and a Sobol-over-priors analysis when given) and
the full tables in an appendix. Nothing in the text is written by hand but the wording:
every number comes from the results. A value that is undefined shows "—" with a note,
never "nan". The HTML embeds its figures as base64 PNG and its CSS inline, so it opens
anywhere without a network.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.comparison import uncertainty_line
from sim.analysis.decision import AT_RISK, NO_BUDGET, OVER
from sim.analysis.effect_profile import MIN_PEOPLE
from sim.config.plan_file import REFERENCE
from sim.experiment.compare import PAIRED_ROI
from sim.experiment.plan import SOBOL_SWEEP, Decision
from sim.viz.style import COLOURS, MARKERS, figure, house_style

DASH = "—"
EVALUATED = ("effect_size_d", PAIRED_ROI)
"""Columns (besides ``level…``/``equity.`` ones) defined only for a design with a programme."""


# --- numbers as text ----------------------------------------------------------------------
def fmt(value: float, unit: str = "") -> str:
    """A number for the report: "—" when undefined, money with thousands separators."""
    if value is None or not math.isfinite(float(value)):
        return DASH
    value = float(value)
    if unit == "money" or abs(value) >= 10_000:
        return f"{value:,.0f}"
    if unit == "percent":
        return f"{value:.1f}%"
    return f"{value:.3g}"


def pct(value: float) -> str:
    """A probability as a whole percentage ("—" when undefined)."""
    return DASH if value is None or not math.isfinite(value) else f"{100 * value:.0f}%"


def interval(mean: float, low: float, high: float, unit: str = "") -> str:
    """``mean [low, high]``; just the mean without an interval; "—" without a mean."""
    if not math.isfinite(mean):
        return DASH
    if not (math.isfinite(low) and math.isfinite(high)):
        return f"{fmt(mean, unit)} [{DASH}]"
    return f"{fmt(mean, unit)} [{fmt(low, unit)}, {fmt(high, unit)}]"


def _undefined_reason(design: str, column: str) -> str:
    if design == REFERENCE and (column in EVALUATED or column.startswith(("level", "equity."))):
        return "the reference runs no programme, so it has no effect or return of its own"
    return ("no value in any replication (e.g. fewer than "
            f"{MIN_PEOPLE} mentees observed 12 months into their pair, or nobody reached "
            "proficiency)")


# --- the tables ---------------------------------------------------------------------------
Table = tuple[list[str], list[list[str]]]


def _stats(decision: Decision) -> pd.DataFrame:
    return decision.comparison.stats.set_index(["metric", "scenario"])


def headline_table(decision: Decision) -> tuple[list[str], list[list[str]], list[str]]:
    """Header, rows (one per metric: mean [95% CI] of each design) and the notes on "—"."""
    stats = _stats(decision)
    notes: dict[str, list[str]] = {}
    rows = []
    for metric in decision.metrics:
        row = [metric.label]
        for name in decision.names:
            key = (metric.column, name)
            if key in stats.index:
                s = stats.loc[key]
                cell = interval(float(s["mean"]), float(s["ci_low"]), float(s["ci_high"]),
                                metric.unit)
            else:
                cell = DASH
            if cell == DASH:
                notes.setdefault(_undefined_reason(name, metric.column), []).append(
                    f"{metric.label} of {name}")
            row.append(cell)
        rows.append(row)
    lines = [f"{DASH}: {', '.join(what)}: {reason}." for reason, what in notes.items()]
    return ["metric", *decision.names], rows, lines


def p_best_table(decision: Decision) -> Table:
    """Header and rows: per metric, each design's P(best) [95% Wilson interval]."""
    table = decision.p_best.set_index(["metric", "design"])
    rows = []
    for metric in decision.metrics:
        better = "nearer zero" if metric.better == "zero" else metric.better
        row = [f"{metric.label} ({better} is better)"]
        for name in decision.names:
            r = table.loc[(metric.column, name)]
            row.append(DASH if not r["defined"] or not r["n"] else
                       f"{pct(r['p_best'])} [{pct(r['low'])}, {pct(r['high'])}]")
        rows.append(row)
    return ["metric", *decision.names], rows


def budget_table(decision: Decision) -> Table:
    """Header and rows: each design's cost [95% CI] against the budget."""
    rows = [[r["design"], interval(r["mean"], r["low"], r["high"], "money"),
             fmt(r["budget"], "money"), r["status"]]
            for _, r in decision.budget.iterrows()]
    return ["design", "cost [95% CI]", "budget", "status"], rows


def objectives_table(decision: Decision) -> Table:
    """Header and rows: each objective per design: value [95% CI], P(met), status."""
    rows = []
    for _, r in decision.objectives.iterrows():
        sign = "≥" if r["direction"] == "at_least" else "≤"
        rows.append([r["objective"], f"{r['metric']} {sign} {fmt(r['target'])} by week "
                                     f"{r['by_week']}", r["design"],
                     interval(r["mean"], r["low"], r["high"]), pct(r["p_met"]), r["status"]])
    return ["objective", "target", "design", "value [95% CI]", "replications met",
            "status"], rows


def assumption_lines(decision: Decision) -> list[str]:
    """The assumptions that matter most: variance shares of each ROI, Sobol top priors."""
    comparison = decision.comparison
    lines = []
    variance = comparison.variance
    if variance.empty or not comparison.uncertainty:
        lines.append("Parameters were fixed at the organisation's values (--no-uncertainty), "
                     "so the intervals cover chance only and the variance cannot be split; "
                     "run without --no-uncertainty to see how much the assumptions move "
                     "each design's ROI.")
    else:
        table = variance[variance["metric"] == PAIRED_ROI].set_index("of")
        for name in decision.names[1:]:
            share = float(table.loc[name, "parameter_share"]) if name in table.index \
                else math.nan
            if math.isfinite(share):
                lines.append(f"{name}: {pct(share)} of the variance of its ROI comes from "
                             f"the parameters (the assumptions drawn from their priors), "
                             f"{pct(1 - share)} from chance.")
            else:
                lines.append(f"{name}: the variance of its ROI could not be split (one seed "
                             "per draw, or no ROI).")
    if decision.sensitivity is not None and not decision.sensitivity.empty:
        top = decision.sensitivity
        outcome = top["outcome"].iloc[0]
        priors = "; ".join(f"{r['factor']} (total Sobol index {fmt(r['ST'])} ± "
                           f"{fmt(r['ST_conf'])})" for _, r in top.iterrows())
        lines.append(f"Top {len(top)} priors for {outcome} in the Sobol analysis of "
                     f"{decision.sensitivity_source}: {priors}.")
    else:
        lines.append("Which priors matter most: run mentorsim sweep "
                     f"{SOBOL_SWEEP} --executor processes, then mentorsim analyse "
                     "results/sobol_priors, and pass --sensitivity results/sobol_priors "
                     "to mentorsim plan.")
    return lines


def flag_lines(decision: Decision) -> list[str]:
    """One line per design that breaks (or may break) the budget or misses an objective."""
    lines = []
    for _, r in decision.budget.iterrows():
        if r["status"] == OVER:
            lines.append(f"{r['design']} breaks the budget of {fmt(r['budget'], 'money')}: "
                         f"cost {interval(r['mean'], r['low'], r['high'], 'money')}.")
        elif r["status"] == AT_RISK:
            lines.append(f"{r['design']} may break the budget of {fmt(r['budget'], 'money')}:"
                         f" the upper end of its cost interval is {fmt(r['high'], 'money')}.")
    for _, r in decision.objectives[decision.objectives["flagged"]].iterrows():
        verb = "does not reach" if r["status"] == "not reached" else "misses"
        lines.append(f"{r['design']} {verb} "
                     f"objective {r['objective']!r} ({r['metric']} "
                     f"{'≥' if r['direction'] == 'at_least' else '≤'} {fmt(r['target'])} by "
                     f"week {r['by_week']}): {interval(r['mean'], r['low'], r['high'])}, met "
                     f"in {pct(r['p_met'])} of replications.")
    return lines


def summary_paragraph(decision: Decision) -> str:
    """A short plain-language paragraph, every number from the results."""
    stats = _stats(decision)
    p_best = decision.p_best
    leads: dict[str, list[str]] = {}
    sentences = []
    for metric in decision.metrics:
        rows = p_best[(p_best["metric"] == metric.column) & p_best["defined"]
                      & (p_best["n"] > 0)]
        if rows.empty:
            continue
        top = rows.sort_values("p_best", ascending=False, kind="stable").iloc[0]
        leads.setdefault(top["design"], []).append(metric.label)
        sentences.append(f"on {metric.label}, {top['design']} ({pct(top['p_best'])}, 95% "
                         f"interval {pct(top['low'])} to {pct(top['high'])})")
    parts = []
    if sentences:
        parts.append("Most likely best " + "; ".join(sentences) + ".")
    designs = decision.names[1:]
    if designs:
        leader = max(designs, key=lambda n: (len(leads.get(n, [])), -designs.index(n)))
        facts = []
        for column, unit, what in (("programme_cost", "money", "costs"),
                                   (PAIRED_ROI, "percent", "returns an ROI of"),
                                   ("level5_roi.net_benefit", "money",
                                    "has a net benefit of")):
            if (column, leader) in stats.index:
                s = stats.loc[(column, leader)]
                if math.isfinite(float(s["mean"])):
                    facts.append(f"{what} {interval(s['mean'], s['ci_low'], s['ci_high'], unit)}")
        diffs = decision.comparison.differences
        perf = diffs[(diffs["metric"] == "performance") & (diffs["scenario"] == leader)]
        if len(perf):
            p = perf.iloc[0]
            facts.append(f"changes performance by {interval(p['mean'], p['ci_low'], p['ci_high'])}"
                         f" against {REFERENCE} (paired 95% interval)")
        if facts:
            n = len(leads.get(leader, []))
            parts.append(f"{leader}, most likely best on {n} of {len(decision.metrics)} "
                         f"metrics, " + ", ".join(facts) + ".")
    flags = flag_lines(decision)
    if flags:
        parts.append(" ".join(flags))
    elif decision.plan.budget is not None or decision.plan.objectives:
        parts.append("No design breaks the budget or misses an objective.")
    parts.append(f"Over {len(decision.comparison.seeds)} runs per design; "
                 + uncertainty_line(decision.comparison))
    return " ".join(parts)


def appendix_tables(decision: Decision) -> list[tuple[str, Table]]:
    """The full tables: every metric's mean, paired difference and variance share."""
    comparison = decision.comparison
    stats = _stats(decision)
    metrics = comparison.metrics
    means = [[m, *(interval(*(float(stats.loc[(m, n), c]) for c in
                              ("mean", "ci_low", "ci_high")))
                   if (m, n) in stats.index else DASH for n in decision.names)]
             for m in metrics]
    tables = [("Every result: mean [95% CI]", (["metric", *decision.names], means))]
    if not comparison.differences.empty:
        diffs = comparison.differences.set_index(["metric", "scenario"])
        others = decision.names[1:]
        rows = [[m, *(interval(*(float(diffs.loc[(m, n), c]) for c in
                                 ("mean", "ci_low", "ci_high")))
                      if (m, n) in diffs.index else DASH for n in others)] for m in metrics]
        tables.append((f"Paired differences against {REFERENCE}: mean [95% CI]",
                       (["metric", *(f"{n} − {REFERENCE}" for n in others)], rows)))
    if not comparison.variance.empty and comparison.uncertainty:
        variance = comparison.variance.set_index(["metric", "of"])
        ofs = list(pd.unique(comparison.variance["of"]))
        rows = [[m, *(pct(float(variance.loc[(m, o), "parameter_share"])) for o in ofs)]
                for m in metrics]
        tables.append(("Share of variance from the parameters", (["metric", *ofs], rows)))
    return tables


# --- the figures --------------------------------------------------------------------------
def cost_effect_figure(decision: Decision) -> bytes:
    """The cost–effect plane as PNG bytes: cost on x, performance difference on y."""
    comparison = decision.comparison
    stats = _stats(decision)
    diffs = comparison.differences.set_index(["metric", "scenario"]) \
        if not comparison.differences.empty else None
    with house_style():
        fig, axes = figure(size=(6.5, 4.2))
        ax = axes[0, 0]
        for i, name in enumerate(decision.names):
            cost = stats.loc[("programme_cost", name)] if ("programme_cost", name) in \
                stats.index else None
            if cost is None or not math.isfinite(float(cost["mean"])):
                continue
            if name == REFERENCE:
                y, ylo, yhi = 0.0, 0.0, 0.0
            elif diffs is not None and ("performance", name) in diffs.index:
                d = diffs.loc[("performance", name)]
                y, ylo, yhi = float(d["mean"]), float(d["ci_low"]), float(d["ci_high"])
            else:
                continue
            x, xlo, xhi = float(cost["mean"]), float(cost["ci_low"]), float(cost["ci_high"])
            xerr = [[max(x - xlo, 0.0)], [max(xhi - x, 0.0)]] if math.isfinite(xlo) else None
            yerr = [[max(y - ylo, 0.0)], [max(yhi - y, 0.0)]] if math.isfinite(ylo) else None
            ax.errorbar([x], [y], xerr=xerr, yerr=yerr, fmt=MARKERS[i % len(MARKERS)],
                        color=COLOURS[i % len(COLOURS)], capsize=3, label=name)
        if decision.plan.budget is not None:
            ax.axvline(decision.plan.budget, color="#444444", linestyle="--",
                       label=f"budget {fmt(decision.plan.budget, 'money')}")
        ax.axhline(0.0, color="#999999", linewidth=0.6)
        ax.set_xlabel("programme cost over the horizon (mean, 95% CI)")
        ax.set_ylabel(f"performance difference vs {REFERENCE}")
        ax.set_title("Cost and effect of each design")
        ax.legend(fontsize=7, loc="best")
        return _png(fig)


def profile_figure(decision: Decision) -> bytes | None:
    """The like-for-like performance d by weeks since match, as PNG bytes (None: none)."""
    frame = decision.profile
    if frame is None or frame.empty:
        return None
    shown = frame[(frame["n"] >= MIN_PEOPLE) & np.isfinite(frame["performance_d"])]
    if shown.empty:
        return None
    with house_style():
        fig, axes = figure(size=(6.5, 3.6))
        ax = axes[0, 0]
        ax.plot(shown.index, shown["performance_d"], color=COLOURS[0],
                label=f"{decision.profile_design}")
        ax.axhline(0.0, color="#999999", linewidth=0.6)
        ax.set_xlabel("weeks since first formal match")
        ax.set_ylabel("performance d (same people)")
        ax.set_title(f"Effect over time: {decision.profile_design}, seed "
                     f"{decision.profile_seed}")
        ax.legend(fontsize=7)
        return _png(fig)


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


# --- Markdown and HTML --------------------------------------------------------------------
def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def _html_table(header: Sequence[str], rows: Sequence[Sequence[str]], ident: str = "") -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>"
                   for r in rows)
    attr = f' id="{ident}"' if ident else ""
    return f"<table{attr}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _sections(decision: Decision) -> list[tuple[str, list[tuple[str, object]]]]:
    """The report as (title, blocks).

    A block is ``("p", text)``, ``("table", (id, table))``, ``("img", (name, png))`` or
    ``("list", lines)``.
    """
    plan = decision.plan
    header, rows, notes = headline_table(decision)
    budget = (f"Budget: {fmt(plan.budget, 'money')}." if plan.budget is not None
              else "No budget set.")
    intro = (f"Plan {decision.source}: organisation {plan.organisation}, "
             f"{len(decision.names) - 1} design(s) against {REFERENCE} (the organisation "
             "with its programme switched off), every design with the same seeds and the "
             f"same parameter draws. {budget}")
    flags = flag_lines(decision)
    sections: list[tuple[str, list[tuple[str, object]]]] = [
        ("", [("p", intro), ("p", summary_paragraph(decision))]),
        ("Headline (mean [95% CI])", [("table", ("headline", (header, rows))),
                                      *(("p", n) for n in notes)]),
        ("Probability that each design is best",
         [("p", "Share of paired replications (parameter draws, averaged over their seeds) "
                "in which the design has the best value of all designs, direction-aware; a "
                "tie is shared equally, so each row sums to 100% over the designs; 95% "
                "Wilson interval."),
          ("table", ("p-best", p_best_table(decision)))]),
        ("Budget and objectives",
         [("list", flags or ["No design breaks the budget or misses an objective."]),
          *([("table", ("budget", budget_table(decision)))]
            if plan.budget is not None else []),
          *([("table", ("objectives", objectives_table(decision)))]
            if plan.objectives else [])]),
        ("Cost and effect",
         [("p", "Each design's cost (x) and its performance difference against "
                f"{REFERENCE}, paired by replication (y), with 95% intervals as error bars"
                + ("; the dashed line is the budget." if plan.budget is not None else ".")),
          ("img", ("cost_effect", cost_effect_figure(decision)))]),
    ]
    profile = profile_figure(decision)
    sections.append(("The effect over time", [
        ("p", decision.profile_note or "No design to profile."),
        *([("img", ("effect_profile", profile))] if profile is not None else
          [("p", "No week had enough mentees observed to show a like-for-like d.")])]))
    sections.append(("The assumptions that matter most",
                     [("list", assumption_lines(decision))]))
    sections.append(("Appendix: the full tables",
                     [("p", "Also in report.md / report.html (the comparison's report) and "
                            "the CSV files beside this one.")]
                     + [("table", ("", table)) for _, table in appendix_tables(decision)]))
    return sections


def _appendix_titles(decision: Decision) -> list[str]:
    return [title for title, _ in appendix_tables(decision)]


def markdown(decision: Decision) -> str:
    """The report as Markdown (figures as files beside it)."""
    parts = [f"# {decision.title}", ""]
    titles = iter(_appendix_titles(decision))
    for title, blocks in _sections(decision):
        if title:
            parts += [f"## {title}", ""]
        for kind, content in blocks:
            if kind == "p":
                parts += [str(content), ""]
            elif kind == "list":
                parts += [f"- {line}" for line in content] + [""]
            elif kind == "table":
                ident, table = content
                if not ident:
                    parts += [f"### {next(titles)}", ""]
                parts += [_md_table(*table), ""]
            elif kind == "img":
                name, _ = content
                parts += [f"![{name}]({name}.png)", ""]
    return "\n".join(parts)


STYLE = ("body{font-family:sans-serif;max-width:72em;margin:2em auto;line-height:1.4}"
         "table{border-collapse:collapse;font-size:0.85em;margin:0.5em 0 1em}"
         "td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}"
         "th{background:#f2f4f8}img{max-width:100%}")


def html_page(decision: Decision) -> str:
    """The report as one self-contained HTML page."""
    title = html.escape(decision.title)
    body = [f"<h1>{title}</h1>"]
    titles = iter(_appendix_titles(decision))
    for heading, blocks in _sections(decision):
        if heading:
            body.append(f"<h2>{html.escape(heading)}</h2>")
        for kind, content in blocks:
            if kind == "p":
                body.append(f"<p>{html.escape(str(content))}</p>")
            elif kind == "list":
                body.append("<ul>" + "".join(f"<li>{html.escape(x)}</li>" for x in content)
                            + "</ul>")
            elif kind == "table":
                ident, table = content
                if not ident:
                    body.append(f"<h3>{html.escape(next(titles))}</h3>")
                body.append(_html_table(*table, ident=ident))
            elif kind == "img":
                name, data = content
                body.append(f'<figure><img alt="{name}" src="data:image/png;base64,'
                            f'{base64.b64encode(data).decode()}"/></figure>')
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}"
            f"</title><style>{STYLE}</style></head><body>{''.join(body)}</body></html>\n")


def write_decision(decision: Decision, out: str | Path) -> Path:
    """Write ``decision.md``, ``decision.html``, the figures and the decision's tables.

    All are written out of sight and moved into ``out`` together
    (:func:`sim.experiment.store.staged_files`).

    Returns:
        The directory written.

    """
    from sim.experiment.store import staged_files

    with staged_files(out) as staging:
        (staging / "cost_effect.png").write_bytes(cost_effect_figure(decision))
        profile = profile_figure(decision)
        if profile is not None:
            (staging / "effect_profile.png").write_bytes(profile)
        if decision.profile is not None:
            decision.profile.to_csv(staging / "effect_profile.csv")
        decision.p_best.to_csv(staging / "p_best.csv", index=False)
        decision.budget.to_csv(staging / "budget.csv", index=False)
        decision.objectives.to_csv(staging / "objectives.csv", index=False)
        (staging / "decision.md").write_text(markdown(decision), encoding="utf-8")
        (staging / "decision.html").write_text(html_page(decision), encoding="utf-8")
    return Path(out)


__all__ = ["NO_BUDGET", "fmt", "headline_table", "html_page", "markdown", "p_best_table",
           "summary_paragraph", "write_decision"]
