#!/bin/sh
# Recalibrates the cost model of every Arm board in Targets/ (`make calibrate`): for each board whose
# core the instruction-set simulator models (cortex-m0, m0plus, m4, m7, m33), runs
# `harken cost calibrate`, which measures the built-in calibration suite (every kernel Harken can
# emit, in many shapes), the standard Sentries and the models below, for the board's kernel variant
# and the reference kernels, and rewrites the board's `cost:` block. Run it after any kernel change.
#
#   scripts/calibrate_all.sh [BOARD ...]        (default: every Arm board)
#
# HARKEN: the binary (default .build/debug/harken, built if missing); PY: the oracle venv's python
# (finds microWakeWord's models); EXTRA_MODELS: more .tflite files to calibrate on; JOBS: boards
# calibrated at once (default 3; each writes only its own YAML).
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
HARKEN=${HARKEN:-$ROOT/.build/debug/harken}
PY=${PY:-$ROOT/.venv/bin/python}
JOBS=${JOBS:-3}
SWIFT=${SWIFT:-$(command -v swift || echo /opt/swift/usr/bin/swift)}

if [ ! -x "$HARKEN" ]; then
    "$SWIFT" build --product harken
fi

MODELS=""
for m in hey_jarvis alexa hey_mycroft okay_nabu; do
    MODELS="$MODELS --model $("$PY" scripts/mww_model.py $m)"
done
for m in ${EXTRA_MODELS:-}; do
    MODELS="$MODELS --model $m"
done

if [ $# -gt 0 ]; then
    BOARDS="$*"
else
    BOARDS=$(grep -l '^core: cortex-m' Targets/*.yaml | xargs -n1 basename | sed 's/\.yaml$//')
fi

LOG=$(mktemp -d)
trap 'rm -rf "$LOG"' EXIT
echo "calibrating: $(echo $BOARDS)"
# shellcheck disable=SC2086
printf '%s\n' $BOARDS | xargs -P "$JOBS" -I{} sh -c "\"$HARKEN\" cost calibrate --target {} $MODELS > \"$LOG/{}.log\" 2>&1 && cat \"$LOG/{}.log\" || { cat \"$LOG/{}.log\"; exit 255; }"
echo "done: git diff Targets/ shows the new coefficients"
