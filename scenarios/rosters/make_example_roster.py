"""Write ``example_roster.csv``: a synthetic staff roster for ``example_organisation.toml``.

Every person is invented (ids ``EMP-0001`` ..., no names), drawn with a fixed seed so the
file is the same on every machine: 320 staff in two groups (``majority``,
``underrepresented``) and three roles (``analyst``, ``consultant``, ``manager``), with
tenure and age in years and a rating from 1 to 5 on each of the four competencies of the
scenario. Ratings rise with tenure and are lower on average in ``client`` and
``leadership``, so the organisation has gaps a programme can work on.

Run it from anywhere (it writes beside itself)::

    python scenarios/rosters/make_example_roster.py
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

SEED = 20260415
STAFF = 320
GROUPS = (("majority", 0.78), ("underrepresented", 0.22))
ROLES = (("analyst", 0.45), ("consultant", 0.40), ("manager", 0.15))
# competency -> (mean rating of a newcomer, rise per 10 years of tenure)
COMPETENCIES = {"technical": (2.9, 0.9), "client": (2.4, 0.8), "communication": (3.0, 0.5),
                "leadership": (2.0, 1.1)}
OUT = Path(__file__).resolve().parent / "example_roster.csv"


def make_rows(seed: int = SEED, staff: int = STAFF) -> list[dict[str, object]]:
    """The roster's rows, drawn with ``seed``: one dict per (fictitious) person."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(staff):
        role = rng.choice([r for r, _ in ROLES], p=[s for _, s in ROLES])
        group = rng.choice([g for g, _ in GROUPS], p=[s for _, s in GROUPS])
        age = float(np.clip(rng.normal(41.0 if role == "manager" else 36.0, 9.0), 21.0, 63.5))
        tenure = float(np.clip(rng.exponential(6.0 if role == "manager" else 4.0), 0.1,
                               age - 18.0))
        row: dict[str, object] = {"id": f"EMP-{i + 1:04d}", "group": group, "role": role,
                                  "tenure_years": round(tenure, 1), "age_years": round(age, 1)}
        for competency, (start, rise) in COMPETENCIES.items():
            mean = start + rise * min(tenure, 20.0) / 10.0 + (0.4 if role == "manager" else 0.0)
            row[competency] = int(np.clip(np.rint(rng.normal(mean, 0.7)), 1, 5))
        rows.append(row)
    return rows


def main() -> None:
    """Write the roster beside this script."""
    rows = make_rows()
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {OUT} ({len(rows)} staff)")


if __name__ == "__main__":
    main()
