#!/usr/bin/env python3
"""Writes the salary estimate's independent reference (docs/design/careers-plan.md §4, test (b)).

A synthetic survey of 500 full-time responses (fixed seed) goes to
crates/salary/tests/fixtures/regression-500.csv; statsmodels' OLS fit of log(base pay) on
1, years, years² and the treatment-coded factors goes to regression-500.statsmodels.json:
params, bse, scale, df_resid, nobs, rsquared, normalized_cov_params ((XᵀX)⁻¹), and for a few
profiles get_prediction().summary_frame at alpha 0.05 (the mean's interval) and 0.2 (the
interval for individuals). The levels with a coefficient of their own are chosen here by the
rule of crates/salary/src/estimate.rs, written again in Python (≥ 5 respondents, ≥ 5
employers, none over 25 %; failing levels make "other", the reference, and the smallest passing
levels join it until it passes too), so the Rust test checks that rule as well as the fit.

The Rust test (crates/salary/src/estimate/tests.rs) reads the committed files; it never runs
Python. To regenerate (then review the diff):

    python3 -m venv /tmp/sm && /tmp/sm/bin/pip install statsmodels==0.15.0
    /tmp/sm/bin/python scripts/salary-reference.py
"""

import csv
import json
import pathlib

import numpy as np
import statsmodels
import statsmodels.api as sm

FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "crates/salary/tests/fixtures"
FACTORS = ["education", "licence", "discipline", "region"]
# Each factor's share of respondents per level: some levels are too small and merge.
SHARES = {
    "education": [0.35, 0.45, 0.17, 0.03],
    "licence": [0.5, 0.3, 0.19, 0.01],
    "discipline": [0.2, 0.2, 0.15, 0.15, 0.1, 0.1, 0.09, 0.01],
    "region": [0.3, 0.25, 0.2, 0.15, 0.1],
}
EFFECTS = {
    "education": [0.0, 0.08, 0.15, 0.2],
    "licence": [0.0, 0.12, 0.05, 0.3],
    "discipline": [0.0, -0.05, 0.1, 0.02, 0.2, -0.1, 0.05, 0.4],
    "region": [0.0, 0.1, -0.1, 0.25, 0.05, 0.5],
}
PROFILES = [
    {"years": 10.0, "levels": [1, 1, 2, 0]},
    {"years": 3.5, "levels": [0, 0, 0, 1]},
    {"years": 25.0, "levels": [3, 3, 7, 5]},  # merged levels: each is "other"
    {"years": 38.0, "levels": [2, 2, 4, 9]},  # region 9 was never seen: "other"
]


def survey(n=500, seed=20260615):
    rng = np.random.default_rng(seed)
    employers = 60
    weights = 1.0 / np.arange(1, employers + 1) ** 0.6
    weights /= weights.sum()
    rows = []
    for i in range(n):
        levels = [int(rng.choice(len(SHARES[f]), p=SHARES[f])) for f in FACTORS]
        employer = int(rng.choice(employers, p=weights))
        if i < 8:
            # Region 5: eight people from two employers, too few employers to stand alone.
            levels[3] = 5
            employer = 500 + i % 2
        years = int(rng.integers(0, 41))
        log_pay = 11.0 + 0.035 * years - 0.0006 * years**2
        log_pay += sum(EFFECTS[f][level] for f, level in zip(FACTORS, levels))
        log_pay += rng.normal(0.0, 0.18)
        pay = int(round(np.exp(log_pay) / 100.0)) * 100
        rows.append({"years": years, "levels": levels, "employer": employer, "base_pay": pay})
    return rows


def passes(employers):
    n = sum(employers.values())
    return n >= 5 and len(employers) >= 5 and 4 * max(employers.values()) <= n


def own_levels(rows, f):
    per_level = {}
    for row in rows:
        counts = per_level.setdefault(row["levels"][f], {})
        counts[row["employer"]] = counts.get(row["employer"], 0) + 1
    other, own = {}, []
    for level, counts in sorted(per_level.items()):
        if passes(counts):
            own.append((sum(counts.values()), level))
        else:
            for e, c in counts.items():
                other[e] = other.get(e, 0) + c
    own.sort()
    while not (other and passes(other)) and own:
        _, level = own.pop(0)
        for e, c in per_level[level].items():
            other[e] = other.get(e, 0) + c
    return sorted(level for _, level in own)


def design_row(years, levels, own):
    row = [1.0, float(years), float(years) ** 2]
    for f in range(len(FACTORS)):
        row.extend(1.0 if levels[f] == level else 0.0 for level in own[f])
    return row


def main():
    rows = survey()
    FIXTURES.mkdir(parents=True, exist_ok=True)
    with open(FIXTURES / "regression-500.csv", "w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["years", *FACTORS, "employer", "base_pay"])
        for row in rows:
            writer.writerow([row["years"], *row["levels"], row["employer"], row["base_pay"]])

    own = [own_levels(rows, f) for f in range(len(FACTORS))]
    columns = ["intercept", "years", "years²"]
    for name, levels in zip(FACTORS, own):
        columns.extend(f"{name}[{level}]" for level in levels)
    x = np.array([design_row(r["years"], r["levels"], own) for r in rows])
    y = np.log(np.array([float(r["base_pay"]) for r in rows]))
    fit = sm.OLS(y, x).fit()

    predictions = []
    for profile in PROFILES:
        x0 = np.array([design_row(profile["years"], profile["levels"], own)])
        mean = fit.get_prediction(x0).summary_frame(alpha=0.05).iloc[0]
        individuals = fit.get_prediction(x0).summary_frame(alpha=0.2).iloc[0]
        predictions.append(
            {
                **profile,
                "mean": float(mean["mean"]),
                "mean_se": float(mean["mean_se"]),
                "mean_ci_lower": float(mean["mean_ci_lower"]),
                "mean_ci_upper": float(mean["mean_ci_upper"]),
                "obs_ci_lower": float(individuals["obs_ci_lower"]),
                "obs_ci_upper": float(individuals["obs_ci_upper"]),
            }
        )

    reference = {
        "generator": "scripts/salary-reference.py",
        "statsmodels": statsmodels.__version__,
        "numpy": np.__version__,
        "columns": columns,
        "own_levels": dict(zip(FACTORS, own)),
        "params": [float(v) for v in fit.params],
        "bse": [float(v) for v in fit.bse],
        "scale": float(fit.scale),
        "df_resid": int(fit.df_resid),
        "nobs": int(fit.nobs),
        "rsquared": float(fit.rsquared),
        "normalized_cov_params": [[float(v) for v in row] for row in fit.normalized_cov_params],
        "predictions": predictions,
    }
    with open(FIXTURES / "regression-500.statsmodels.json", "w") as out:
        json.dump(reference, out, indent=1, ensure_ascii=False)
        out.write("\n")
    print(f"{len(rows)} responses, {len(columns)} coefficients, R² {fit.rsquared:.3f}")


if __name__ == "__main__":
    main()
