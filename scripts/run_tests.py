#!/usr/bin/env python3
"""Runs the XCTest bundle on every core (`make test`, `make test-fast`).

Each test class runs in a process of its own (a class's tests share their fixtures), as many at a
time as there are cores, the longest first by Tests/durations.json (seconds per class, measured here
with --record; a class it lacks counts as 30 s). `swift test --parallel` runs one process per test
and in listing order, which rebuilds the shared fixtures and left the longest test to run alone at
the end. Folders several classes read (a synthesized corpus) are made once, by the first class to
ask, in a folder named by HARKEN_TEST_SHARED (Support.shared). The classes' temporary files go to a
folder of the run's own (TMPDIR), removed at the end unless a class failed. A line per finished
class shows progress; a failed class's whole output is printed at the end, and the exit status is 1
if any class failed or its process died.

    scripts/run_tests.py --bundle .build/debug/HarkenPackageTests.xctest [--skip MODULE] [--only MODULE|Module.Class] [--jobs N] [--record]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DURATIONS = os.path.join(ROOT, "Tests", "durations.json")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bundle", required=True, help="the built test bundle (swift build --show-bin-path)/<Package>PackageTests.xctest")
    ap.add_argument("--skip", action="append", default=[], help="a test module to leave out (repeat)")
    ap.add_argument("--only", action="append", default=[], help="run only this module or Module.Class (repeat)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--record", action="store_true", help="write the classes' measured seconds into Tests/durations.json")
    args = ap.parse_args()

    if not os.access(args.bundle, os.X_OK):
        sys.exit(f"{args.bundle}: no test bundle there (build it with `swift build --build-tests`)")
    listing = subprocess.run([args.bundle, "--list-tests"], capture_output=True, text=True)
    if listing.returncode != 0:
        sys.exit(f"{args.bundle}: --list-tests failed:\n{listing.stdout}{listing.stderr}")
    classes = sorted({line.split("/")[0] for line in listing.stdout.split() if "/" in line})
    classes = [c for c in classes if c.split(".")[0] not in args.skip]
    if args.only:
        classes = [c for c in classes if c in args.only or c.split(".")[0] in args.only]
    try:
        with open(DURATIONS) as f:
            known = json.load(f)
    except (OSError, ValueError):
        known = {}
    queue = sorted(classes, key=lambda c: -known.get(c, 30))

    run_dir = tempfile.mkdtemp(prefix="harken-tests-")
    logs, shared, tmp = (os.path.join(run_dir, d) for d in ("logs", "shared", "tmp"))
    for d in (logs, shared, tmp):
        os.mkdir(d)
    env = dict(os.environ, HARKEN_TEST_SHARED=shared, TMPDIR=tmp)
    lock = threading.Lock()
    results = {}
    start = time.time()

    def worker():
        while True:
            with lock:
                if not queue:
                    return
                name = queue.pop(0)
            log = os.path.join(logs, name + ".log")
            t0 = time.time()
            with open(log, "w") as out:
                rc = subprocess.run([args.bundle, name], stdout=out, stderr=subprocess.STDOUT, env=env).returncode
            seconds = time.time() - t0
            with open(log, errors="replace") as f:
                text = f.read()
            executed = [line for line in text.splitlines() if line.strip().startswith("Executed ")]
            with lock:
                results[name] = (rc, seconds, text)
                status = "passed" if rc == 0 else f"FAILED (exit {rc})"
                summary = executed[-1].strip() if executed else "no test ran"
                print(f"[{len(results)}/{len(classes)}] {name} {status} in {seconds:.0f} s: {summary}", flush=True)

    threads = [threading.Thread(target=worker) for _ in range(max(1, args.jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    failed = sorted(n for n, (rc, _, _) in results.items() if rc != 0)
    for name in failed:
        print(f"\n==== {name}: output ====\n{results[name][2]}")
    if failed:
        print(f"\nthe failed classes' temporary files are kept in {tmp}")
    else:
        shutil.rmtree(run_dir, ignore_errors=True)
    wall = time.time() - start
    work = sum(s for _, s, _ in results.values())
    print(f"\n{len(classes)} test classes on {args.jobs} workers in {wall:.0f} s (their own times add up to {work:.0f} s); "
          f"{len(failed)} failed" + (": " + ", ".join(failed) if failed else ""))
    if args.record:
        known.update({n: round(s) for n, (_, s, _) in results.items()})
        tmp = DURATIONS + ".tmp"
        with open(tmp, "w") as f:
            json.dump(dict(sorted(known.items(), key=lambda kv: -kv[1])), f, indent=1)
            f.write("\n")
        os.replace(tmp, DURATIONS)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
