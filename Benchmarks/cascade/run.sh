#!/usr/bin/env bash
# The cascade for one phrase: the recipe behind the cascade table in the README.
#
#   bash Benchmarks/cascade/run.sh [PHRASE] [SIZE]
#
# Needs what Benchmarks/accuracy/run.sh made for the phrase: the corpus build/data/<phrase>, the
# int8 Sentry build/models/<phrase> and the stress benchmark build/stress/<phrase>.
# 1. trains a Judge (SIZE device or server) on what the int8 Sentry hands over on the training
#    voices, and chooses the Sentry's and the Judge's cutoffs together on the validation voices;
# 2. measures the Sentry alone and the cascade at those cutoffs on the stress benchmark (held-out
#    voices, rooms, noise, near misses, 3 h of running speech): build/judge/<phrase>-<size>/stress/,
#    and prints the README's table row (Benchmarks/cascade/table.py).
# Nothing here reads the stress benchmark before step 2.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PHRASE="${1:-hey jarvis}" SIZE="${2:-device}"
SLUG="${PHRASE// /_}"
HARKEN="${HARKEN:-$ROOT/.build/release/harken}"
cd "$ROOT"
for need in "build/data/$SLUG/manifest.jsonl" "build/models/$SLUG/model.safetensors" "build/stress/$SLUG/manifest.jsonl"; do
    [[ -f "$need" ]] || { echo "cascade/run.sh: no $need; run Benchmarks/accuracy/run.sh \"$PHRASE\" first" >&2; exit 1; }
done
OUT="build/judge/$SLUG-$SIZE"
[[ -f "$OUT/judge.tflite" ]] || "$HARKEN" judge train --sentry "build/models/$SLUG" --data "build/data/$SLUG" --size "$SIZE" --out "$OUT"
JUDGE="$OUT/judge.tflite"
[[ "$SIZE" == device ]] || JUDGE="$OUT"
"$HARKEN" eval --model "build/models/$SLUG" --cascade "$JUDGE" --data "build/stress/$SLUG" --split test --out "$OUT/stress"
python3 Benchmarks/cascade/table.py "$PHRASE" "$OUT/stress/cascade.json"
