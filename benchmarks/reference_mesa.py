"""The same weekly step written the idiomatic Mesa way, side by side with mentorsim.

Issue 5, target 2: what a modeller would write without arrays — an ``Agent`` per employee
with a Python list of skills and its own ``step()``, agents activated with
``shuffle_do``, Python lists for the programme's matching, per-agent quit draws and new
``Agent`` objects for hires, and model reporters that loop over the agents. Same
mechanisms as mentorsim's default scenario (learning by doing with a newcomer boost,
targeted mentoring, reciprocal learning, forgetting, drift and shocks, quits,
retirements and hires, needs assessment and gap-targeted matching every four weeks),
same scale. Both models run for the same number of weeks after a warm-up week; the
figure is mentorsim's speed-up per simulated week, whole step included.

Usage: python benchmarks/reference_mesa.py --n 100000 [--k 32] [--weeks 3] [--reps 3]
The last line printed is ``ratio: X``.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time

import mesa

from sim import MentoringModel

WEEKS_PER_YEAR = 52.0


class Worker(mesa.Agent):
    """An employee holding their own state in Python attributes."""

    def __init__(self, model: ReferenceModel, skills: list[float], tenure: int, age: float):
        super().__init__(model)
        self.skills = skills
        self.aptitude = math.exp(model.random.gauss(0.0, 0.25))
        self.tenure = tenure
        self.age = age
        self.mentor: Worker | None = None
        self.mentees: list[Worker] = []
        self.pair_age = 0
        self.quality = 0.0
        self.ever_mentored = False
        self.performance = 0.0
        self.gap = 0.0

    def step(self) -> None:
        m = self.model
        effort = max(1.0 + 0.3 * math.sqrt(3) * (2 * self.random.random() - 1), 0.0)
        novice = 1.0 + 2.0 * math.exp(-self.tenure / 16.0)
        doing = 0.015 * novice * self.aptitude * effort
        new = []
        gaps = [max(r - s, 0.0) * w for r, s, w in zip(m.required, self.skills, m.weights,
                                                        strict=True)]
        total_gap = sum(gaps)
        for k, s in enumerate(self.skills):
            u = m.required[k]
            value = s + doing * u * (1 - s) - m.forget * (1 - u) * s
            if self.mentor is not None:
                focus = len(self.skills) * gaps[k] / total_gap if total_gap > 0 else 1.0
                c = min(0.015 * self.aptitude * effort * self.quality * m.hours * 2.0 * focus,
                        1.0)
                value += c * max(self.mentor.skills_before[k] - s, 0.0)
            for mentee in self.mentees:
                value += 0.03 * self.aptitude * mentee.quality * m.hours * max(
                    mentee.skills_before[k] - s, 0.0)
            new.append(min(max(value, 0.0), 1.0))
        self.skills = new
        self.performance = sum(w * min(s / r, 1.0) for s, r, w in
                               zip(new, m.required, m.weights, strict=True))
        self.gap = sum(w * max(r - s, 0.0) for s, r, w in zip(new, m.required, m.weights,
                                                               strict=True))
        self.tenure += 1
        self.age += 1 / WEEKS_PER_YEAR


class ReferenceModel(mesa.Model):
    """mentorsim's default mechanisms, one Python object per employee."""

    def __init__(self, n: int = 1000, k: int = 32, rng: int = 1) -> None:
        super().__init__(rng=rng)
        self.n, self.k = n, k
        self.required = [0.4 + 0.3 * (i % 4) / 3 for i in range(k)]
        self.weights = [1.0 / k] * k
        self.forget = math.log(2) / (11 * 52 / 12)
        self.hours = 2 / (52 / 12)
        self.weekly_quit = 1 - (1 - 0.12) ** (1 / 52)
        for _ in range(n):
            self._hire(skill_mean=0.6, tenure=int(self.random.random() * 1000),
                       age=min(max(self.random.gauss(42, 10), 18), 64.5))
        self.datacollector = mesa.DataCollector(model_reporters={
            "performance": lambda m: statistics.fmean(a.performance for a in m.agents),
            "skill_gap": lambda m: statistics.fmean(a.gap for a in m.agents),
            "proficient_share": lambda m: statistics.fmean(
                a.performance >= 0.9 for a in m.agents),
            "headcount": lambda m: len(m.agents),
            "pairs": lambda m: sum(a.mentor is not None for a in m.agents),
        })
        self.datacollector.collect(self)

    def _hire(self, skill_mean: float, tenure: int, age: float) -> None:
        skills = [min(max(self.random.gauss(skill_mean, 0.1), 0.01), 0.99)
                  for _ in range(self.k)]
        Worker(self, skills, tenure, age)

    def step(self) -> None:
        # environment: drift and shocks
        self.required = [min(max(r + self.random.gauss(0.01 / 52, 0.03 / math.sqrt(52)),
                                 0.05), 1.0) for r in self.required]
        if self.random.random() < 0.5 / 52:
            k = self.random.randrange(self.k)
            self.required[k] = min(self.required[k] + 0.1, 1.0)
        # programme: lifecycle, then needs assessment and matching every four weeks
        for agent in self.agents:
            if agent.mentor is not None:
                agent.pair_age += 1
                if agent.pair_age >= 52:
                    agent.mentor.mentees.remove(agent)
                    agent.mentor = None
        if self.steps % 4 == 0:
            self._match()
        # learning: every agent steps, mentors read start-of-week skills
        for agent in self.agents:
            agent.skills_before = list(agent.skills)
        self.agents.shuffle_do("step")
        # workforce flows
        leavers = [a for a in self.agents
                   if a.age >= 65 or self.random.random() < self.weekly_quit]
        for agent in leavers:
            if agent.mentor is not None:
                agent.mentor.mentees.remove(agent)
            for mentee in agent.mentees:
                mentee.mentor = None
            agent.remove()
        vacancies = self.n - len(self.agents)
        for _ in range(sum(self.random.random() < 0.25 for _ in range(vacancies))):
            self._hire(skill_mean=0.38, tenure=0, age=self.random.gauss(28, 5))
        self.datacollector.collect(self)

    def _match(self) -> None:
        agents = list(self.agents)
        budget = int(0.1 * len(agents)) - sum(a.mentor is not None for a in agents)
        mentees = sorted((a for a in agents if a.mentor is None and not a.mentees
                          and not a.ever_mentored and a.gap >= 0.02),
                         key=lambda a: -a.gap)[:max(budget, 0)]
        mentors = [a for a in agents if a.mentor is None and not a.mentees
                   and a.tenure >= 104 and a.performance >= 0.9]
        for mentee in mentees:
            if not mentors:
                break
            candidates = self.random.sample(mentors, min(16, len(mentors)))
            best = max(candidates, key=lambda m: sum(
                w * max(r - e, 0.0) * max(s - e, 0.0) for w, r, e, s in
                zip(self.weights, self.required, mentee.skills, m.skills, strict=True)))
            mentors.remove(best)
            mentee.mentor = best
            mentee.quality = min(max(self.random.gauss(0.52, 0.15), 0.05), 1.0)
            mentee.pair_age = 0
            mentee.ever_mentored = True
            best.mentees.append(mentee)


def seconds_per_week(model, weeks: int, reps: int) -> float:
    model.step()  # warm-up (numba compilation is cached; first-step effects excluded)
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        for _ in range(weeks):
            model.step()
        times.append((time.perf_counter() - start) / weeks)
    return statistics.median(times)


def mentorsim_model(n: int, k: int) -> MentoringModel:
    names = [f"c{i:02d}" for i in range(k)]
    return MentoringModel(
        "scenarios/mentoring.toml", rng=1, organisation__headcount=n,
        organisation__competencies=names,
        organisation__strategic_weights=[1.0 / k] * (k - 1) + [1.0 - (k - 1) / k],
        organisation__required_levels=[0.4 + 0.3 * (i % 4) / 3 for i in range(k)],
        environment__changes=[], programme__start_week=0, horizon_weeks=520,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--k", type=int, default=32)
    parser.add_argument("--weeks", type=int, default=3)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    fast = seconds_per_week(mentorsim_model(args.n, args.k), args.weeks * 5, args.reps)
    slow = seconds_per_week(ReferenceModel(args.n, args.k), args.weeks, args.reps)
    print(f"N={args.n} K={args.k}: idiomatic Mesa {slow * 1e3:.1f} ms/week "
          f"({args.n / slow:,.0f} agent-steps/s), mentorsim {fast * 1e3:.2f} ms/week")
    print(f"ratio: {slow / fast:.0f}")


if __name__ == "__main__":
    main()
