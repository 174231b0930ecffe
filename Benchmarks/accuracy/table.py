"""Markdown tables of `harken bench-accuracy` JSON files (build/stress/<phrase>-accuracy.json): the
operating points of every model, then FRR at 0.5 false accepts per hour per group of positives.

    python3 Benchmarks/accuracy/table.py build/stress/hey_jarvis-accuracy.json [build/stress/alexa-accuracy.json ...]
"""
import json
import sys


def pct(e):
    return f"{100 * e['value']:.1f} % [{100 * e['low']:.1f}–{100 * e['high']:.1f}]"


def point(r, target):
    return next(p for p in r["operating_points"] if p.get("target_fa_per_hour") == target)


reports = [r for f in sys.argv[1:] for r in json.load(open(f))["reports"]]
print("| model | FRR at 0.1 FA/h | FRR at 0.5 FA/h | FRR at 1 FA/h | shipped cutoff: FRR, FA/h "
      "| neighbours / partials accepted at 0.5 FA/h | delay after the phrase (median) |")
print("|---|---|---|---|---|---|---|")
for r in reports:
    at = [pct(point(r, t)["false_reject_rate"]) if point(r, t).get("cutoff") is not None else "not reached" for t in (0.1, 0.5, 1)]
    shipped = next((p for p in r["operating_points"] if p.get("target_fa_per_hour") is None), None)
    ship = "—"
    if shipped:
        fa = shipped["false_accepts_per_hour"]
        ship = f"{shipped['cutoff']:.2f}: {100 * shipped['false_reject_rate']['value']:.1f} %, {fa['value']:.2f} [{fa['low']:.2f}–{fa['high']:.2f}]"
    half = point(r, 0.5)
    near = " / ".join(f"{100 * half['near_miss_acceptance'][k]['value']:.0f} %" if k in half["near_miss_acceptance"] else "—"
                      for k in ("neighbour", "partial"))
    delay = f"{half['latency']['median_ms']:.0f} ms" if half.get("latency") else "—"
    print(f"| {r['model']} | " + " | ".join(at) + f" | {ship} | {near} | {delay} |")
print()

keys = ["condition", "noise", "snr", "rt60", "level", "rate", "engine"]
cols = []
for r in reports:
    p = point(r, 0.5)
    cols.append((r["model"], {(row["key"], row["value"]): row["estimate"] for row in p.get("breakdown", [])}))
names = sorted({k for _, d in cols for k in d if k[0] in keys}, key=lambda k: (keys.index(k[0]), k[1]))
print("| FRR at 0.5 FA/h | " + " | ".join(m for m, _ in cols) + " |")
print("|---|" + "---|" * len(cols))
for k in names:
    cells = [f"{100 * d[k]['value']:.0f} %" if k in d else "—" for _, d in cols]
    n = next(int(d[k]["of"]) for _, d in cols if k in d)
    print(f"| {k[0]} {k[1]} (n {n}) | " + " | ".join(cells) + " |")
