"""Confidence intervals from SciPy, the oracle for Harken's stress report.

    intervals.py wilson K N      -> low high   (Wilson score interval, 95 %)
    intervals.py poisson K       -> low high   (exact Garwood interval of a Poisson count, 95 %)
"""
import sys

from scipy import stats

kind, k = sys.argv[1], int(sys.argv[2])
if kind == "wilson":
    ci = stats.binomtest(k, int(sys.argv[3])).proportion_ci(confidence_level=0.95, method="wilson")
    print(f"{ci.low:.12g} {ci.high:.12g}")
elif kind == "poisson":
    low = 0.0 if k == 0 else stats.chi2.ppf(0.025, 2 * k) / 2
    high = stats.chi2.ppf(0.975, 2 * k + 2) / 2
    print(f"{low:.12g} {high:.12g}")
else:
    sys.exit(f"unknown interval {kind!r}")
