#!/usr/bin/env bash
# Harken's stress benchmark for one phrase: the recipe behind the accuracy table in the README.
#
#   bash Benchmarks/accuracy/run.sh [PHRASE] [PRESET] [MWW_MODEL_NAME]
#
# 1. synthesizes the stress benchmark (harken synth --stress: held-out voices, rooms, noise, music,
#    near misses, 3 h of running speech) into build/stress/<phrase>;
# 2. trains the Sentry on a corpus without the benchmark's voices (harken train, its validation
#    voices heard in stress conditions choose the cutoff and the early stop), then QAT int8;
# 3. scores the float model, the int8 model and microWakeWord's published model for the phrase
#    (when pymicro-wakeword ships one) on the same audio: build/stress/<phrase>-accuracy.json.
# Nothing here reads the benchmark before step 3, and no setting is chosen from its figures.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PHRASE="${1:-hey jarvis}" PRESET="${2:-esp32}"
SLUG="${PHRASE// /_}"
MWW="${3:-$SLUG}"
HARKEN="${HARKEN:-$ROOT/.build/release/harken}"
[[ -x "$HARKEN" ]] || { echo "accuracy/run.sh: no $HARKEN; run 'make build'" >&2; exit 1; }
cd "$ROOT"
STRESS="build/stress/$SLUG"
[[ -f "$STRESS/manifest.jsonl" ]] || "$HARKEN" synth --stress --phrase "$PHRASE" --out "$STRESS"
"$HARKEN" train --phrase "$PHRASE" --preset "$PRESET" --data "build/data/$SLUG" --out "build/runs/$SLUG" --resume
"$HARKEN" quantize --model "build/runs/$SLUG" --data "build/data/$SLUG" --out "build/models/$SLUG"
peer=()
if model="$(.venv/bin/python scripts/mww_model.py "$MWW" 2>/dev/null)"; then peer=(--int8 "$model"); fi
"$HARKEN" bench-accuracy --stress "$STRESS" --model "build/runs/$SLUG" --int8 "build/models/$SLUG" "${peer[@]}" \
    --out "build/stress/$SLUG-accuracy.json"
