#!/usr/bin/env bash
# Harken beside TFLM (arena bytes, host instructions per step) and beside pymicro-wakeword
# (simulator real-time factor), measured in one run and printed as ratios.
#
#   bash Benchmarks/run.sh [--json] [--steps N] [--hour-seconds S] [--models a,b] [--no-rtf] [--no-firmware] [--board B]
#
# Run from anywhere after `make build`; uses .build/release/harken (else .build/debug/harken,
# or $HARKEN). Needs the oracle venv (.venv), valgrind, cc, espeak-ng and sox, which
# `make setup` installs. Scratch files, including the hour of audio, go to build/bench.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="$ROOT/.venv/bin/python"

if [[ -z "${HARKEN:-}" ]]; then
    for b in "$ROOT/.build/release/harken" "$ROOT/.build/debug/harken"; do
        if [[ -x "$b" ]]; then HARKEN="$b"; break; fi
    done
fi
if [[ -z "${HARKEN:-}" || ! -x "$HARKEN" ]]; then
    echo "Benchmarks/run.sh: no harken binary; run 'make build' first (or set HARKEN=path)" >&2
    exit 1
fi
if [[ ! -x "$PY" ]]; then
    echo "Benchmarks/run.sh: no oracle venv at $ROOT/.venv; run 'make setup' first" >&2
    exit 1
fi
for tool in valgrind cc size espeak-ng sox; do
    command -v "$tool" >/dev/null || { echo "Benchmarks/run.sh: $tool is not installed; run 'make setup'" >&2; exit 1; }
done

exec "$PY" "$ROOT/Benchmarks/bench.py" --harken "$HARKEN" --work "$ROOT/build/bench" "$@"
