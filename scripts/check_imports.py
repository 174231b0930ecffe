#!/usr/bin/env python3
"""Checks that every target in Package.swift declares exactly the modules its sources import.

Reads the package description from `swift package dump-package` and
the `import X` lines of each target's Swift files. Prints one line per difference and exits 1 if
there is any. System modules (Foundation, Dispatch, XCTest, Glibc ...) are not dependencies.
"""
import json, os, re, subprocess, sys, tempfile

SYSTEM = {"Foundation", "FoundationEssentials", "FoundationNetworking", "Dispatch", "XCTest", "Glibc", "Darwin", "PackageDescription", "Testing"}

def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    # A scratch folder of its own: the package's .build is locked while `swift test` runs.
    with tempfile.TemporaryDirectory(prefix="harken-dump-") as scratch:
        text = subprocess.run(["swift", "package", "--scratch-path", scratch, "dump-package"], cwd=root, check=True,
                              capture_output=True, text=True).stdout
    pkg = json.loads(text)
    problems = []
    for t in pkg["targets"]:
        if t["type"] in ("system", "binary", "plugin", "macro"):
            continue
        path = t.get("path") or os.path.join("Tests" if t["type"] == "test" else "Sources", t["name"])
        declared = set()
        for d in t.get("dependencies", []):
            if "byName" in d: declared.add(d["byName"][0])
            elif "target" in d: declared.add(d["target"][0])
            elif "product" in d: declared.add(d["product"][0])
        imported = set()
        full = os.path.join(root, path)
        for dirpath, _, files in os.walk(full):
            for f in files:
                if f.endswith(".swift"):
                    for line in open(os.path.join(dirpath, f), encoding="utf-8"):
                        m = re.match(r"\s*(?:@testable\s+|@_exported\s+|@preconcurrency\s+)?import\s+(?:struct\s+|class\s+|enum\s+|func\s+)?(\w+)", line)
                        if m: imported.add(m.group(1))
        if not any(f.endswith(".swift") for _, _, fs in os.walk(full) for f in fs):
            continue
        imported -= SYSTEM
        for m in sorted(imported - declared):
            problems.append(f"{t['name']}: imports {m} but does not declare it")
        for m in sorted(declared - imported):
            problems.append(f"{t['name']}: declares {m} but never imports it")
    for p in problems: print(p)
    sys.exit(1 if problems else 0)

main()
