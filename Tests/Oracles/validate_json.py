#!/usr/bin/env python3
"""Validates JSON files Harken wrote against the JSON Schemas in Schemas/ (draft 2020-12).

    validate_json.py FILE [FILE ...]             schema chosen by file name (see FILE_SCHEMAS)
    validate_json.py --schema NAME FILE [...]    schema named explicitly (a --json output)
    validate_json.py --walk DIR                  every .json and .jsonl under DIR; a file no
                                                 schema covers is an error

.jsonl files are validated line by line. Prints one line per file, exits 1 on any failure.
"""
import argparse, json, os, sys

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEMAS = os.path.join(ROOT, "Schemas")

# Files Harken writes, by name.
FILE_SCHEMAS = {
    "report.json": "train_report",
    "quantize_report.json": "quantize_report",
    "det.json": "det",
    "false_accepts.json": "false_accepts",
    "config.json": "train_config",
    "metrics.jsonl": "epoch_metrics",
    "manifest.jsonl": "clip_record",
    "model.json": "micro_manifest",
    "judge_report.json": "judge_train_report",
    "judge_stage.json": "judge_stage",
    "cascade.json": "cascade_report",
    "mine.json": "mine_state",
    "findings.json": "mine_findings",
    "scores.json": "stored_scores",
    "eval_report.json": "eval_report",
    "evaluation.json": "studio_evaluation",
    "studio.json": "studio_settings",
    "notes.json": "run_notes",
    ".studio-index.json": "studio_run_index",
}

# --json outputs name their schema with --schema (harken zoo --json: zoo_result).


def registry():
    resources = []
    for name in sorted(os.listdir(SCHEMAS)):
        if name.endswith(".schema.json"):
            with open(os.path.join(SCHEMAS, name), encoding="utf-8") as f:
                schema = json.load(f)
            resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


def schema_for(path):
    name = os.path.basename(path)
    if name in FILE_SCHEMAS:
        return FILE_SCHEMAS[name]
    # Benchmarks/kernels/results.json (benchmark tables are read back as the next run's baseline).
    if name == "results.json" and os.path.basename(os.path.dirname(path)) == "kernels":
        return "kernel_benchmark"
    # A Studio project's jobs/ID.json.
    if os.path.basename(os.path.dirname(path)) == "jobs" and name.endswith(".json"):
        return "studio_job"
    # An exported manifest sits beside its model as <name>.json.
    if name.endswith(".json"):
        stem = path[:-len(".json")]
        if os.path.exists(stem + ".tflite"):
            return "micro_manifest"
    return None


def documents(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if path.endswith(".jsonl"):
        return [(f"line {i + 1}", json.loads(line)) for i, line in enumerate(text.splitlines()) if line.strip()]
    return [("", json.loads(text))]


def validate(path, schema_name, reg):
    with open(os.path.join(SCHEMAS, schema_name + ".schema.json"), encoding="utf-8") as f:
        schema = json.load(f)
    validator = Draft202012Validator(schema, registry=reg)
    problems = []
    for where, doc in documents(path):
        for e in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path)):
            location = "/".join(str(p) for p in e.absolute_path) or "(document)"
            problems.append(f"{path} {where} {location}: {e.message}".replace("  ", " "))
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--schema")
    ap.add_argument("--walk")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    reg = registry()
    files = list(args.files)
    if args.walk:
        for dirpath, _, names in os.walk(args.walk):
            files += [os.path.join(dirpath, n) for n in sorted(names) if n.endswith((".json", ".jsonl"))]
    failures = 0
    for path in files:
        name = args.schema or schema_for(path)
        if name is None:
            print(f"{path}: no schema in Schemas/ covers this file")
            failures += 1
            continue
        problems = validate(path, name, reg)
        for p in problems:
            print(p)
        failures += bool(problems)
        if not problems:
            print(f"{path}: valid {name}")
    sys.exit(1 if failures else 0)


main()
