#!/usr/bin/env bash
# Every stage of the cascade, in each way it can be deployed: `harken bench --cascade --sentry S --judge J`
# on the trained hey_jarvis models. Per stage: cycles (cost model and instruction-set simulator) and
# time at the target's clock, RAM (arena + state + the feature ring), flash (weights + code), calls per
# hour; the server Judge timed in process, over HTTP on loopback and over a pty serial hand-off; the
# Judge's wake-ups per hour and the wake-up curve from the cascade report. Results in
# Benchmarks/README.md, "Cascade stages".
#
#   bash Benchmarks/cascade_stages.sh [--json]
#   WINDOWS=200 NO_BUILD=1 SERVER_JUDGE=build/judge/hey_jarvis-v3 bash Benchmarks/cascade_stages.sh
#
# Falls back, and says so, when the trained models are missing: microWakeWord's hey_jarvis for the
# Sentry, an untrained probe Judge of the real shape (harken judge probe) for the Judge, and no
# wake-ups without the cascade report.
set -euo pipefail
cd "$(dirname "$0")/.."

HARKEN=${HARKEN:-.build/release/harken}
OUT=${OUT:-build/bench/cascade_stages}
SENTRY=${SENTRY:-build/models/hey_jarvis}
JUDGE=${JUDGE:-build/judge/hey_jarvis-v3/judge.tflite}
SERVER_JUDGE=${SERVER_JUDGE:-}          # e.g. the float checkpoint build/judge/hey_jarvis-v3 (default: JUDGE)
REPORT=${REPORT:-build/judge/hey_jarvis-v3/stress/cascade.json}
WINDOWS=${WINDOWS:-200}
JSON=()
[ "${1:-}" = "--json" ] && JSON=(--json)

if [ ! -x "$HARKEN" ]; then
  echo "cascade_stages: building $HARKEN" >&2
  flock /tmp/swift-build.lock swift build -c release --product harken >&2
fi
mkdir -p "$OUT"

if [ ! -e "$SENTRY/model.safetensors" ] && [ ! -f "$SENTRY" ]; then
  echo "cascade_stages: no trained Sentry at $SENTRY; using microWakeWord's hey_jarvis instead" >&2
  SENTRY=$(.venv/bin/python scripts/mww_model.py hey_jarvis)
fi
if [ ! -f "$JUDGE" ]; then
  echo "cascade_stages: no trained Judge at $JUDGE; using an untrained probe Judge of the same shape (its cost is real, its verdicts are not)" >&2
  JUDGE="$OUT/probe_judge.tflite"
  "$HARKEN" judge probe --out "$JUDGE" --size device --seed 1 >&2
fi
ARGS=(bench --cascade --sentry "$SENTRY" --judge "$JUDGE" --windows "$WINDOWS" --out "$OUT/cascade_stages.json")
[ -n "$SERVER_JUDGE" ] && ARGS+=(--server-judge "$SERVER_JUDGE")
if [ -f "$REPORT" ]; then
  ARGS+=(--cascade-report "$REPORT" --plot "$OUT/wakeups.svg")
else
  echo "cascade_stages: no cascade report at $REPORT; wake-ups per hour and the curve are left out" >&2
fi
[ -z "${NO_BUILD:-}" ] && ARGS+=(--build-firmware "$OUT/firmware")

echo "cascade_stages: $HARKEN ${ARGS[*]}" >&2
"$HARKEN" "${ARGS[@]}" "${JSON[@]}"
