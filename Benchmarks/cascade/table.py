"""The README's cascade table from `harken eval --cascade --out` files (build/judge/<phrase>-device/stress/cascade.json).

    python3 Benchmarks/cascade/table.py "hey jarvis" build/judge/hey_jarvis-device/stress/cascade.json [PHRASE FILE ...]
"""
import json
import sys


def pct(e):
    return f"{100 * e['value']:.1f} % [{100 * e['low']:.1f}–{100 * e['high']:.1f}]"


def rate(e):
    return f"{e['value']:.2f} [{e['low']:.2f}–{e['high']:.2f}]"


args = sys.argv[1:]
for phrase, path in zip(args[0::2], args[1::2]):
    r = json.load(open(path))
    alone, best, given = r["sentry_alone"], r["cascade_best"], r.get("cascade")
    same = next(p for p in r["sentry_curve"] if abs(p["sentry_cutoff"] - best["sentry_cutoff"]) < 1e-9)
    cells = [
        phrase,
        f"{pct(alone['false_reject_rate'])} at {alone['false_accepts_per_hour']['value']:.2f} FA/h (cutoff {alone['sentry_cutoff']:.3f})",
        f"**{pct(best['false_reject_rate'])}** at {best['false_accepts_per_hour']['value']:.2f} FA/h (cutoffs {best['sentry_cutoff']:.2f} / {best['judge_cutoff']:.3f})",
        f"{100 * best['judge_rejects_false_accepts']:.0f} % / {100 * best['judge_keeps_true_triggers']:.1f} %",
        f"{best['judge_wakeups_per_hour']:.1f}",
        f"{100 * same['near_miss_accept_rate']['value']:.1f} % / {100 * best['near_miss_accept_rate']['value']:.1f} %",
        f"{pct(given['false_reject_rate'])} at {rate(given['false_accepts_per_hour'])} FA/h (cutoffs {given['sentry_cutoff']:.2f} / {given['judge_cutoff']:.3f})" if given else "—",
    ]
    print("| " + " | ".join(cells) + " |")
