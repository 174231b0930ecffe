#!/usr/bin/env bash
# Kernel throughput on every Arm core the instruction-set simulator models (M0+, M4, M7, M33):
# MAC/cycle per layer type and per model (the zoo and microWakeWord's four models), the
# reference kernels' figure and the previous run's beside each, flash and RAM per model.
# Writes Benchmarks/kernels/results.json (commit it: the next run reads it as its baseline)
# and prints the Markdown tables of Benchmarks/README.md's "Kernels" section.
#
#   Benchmarks/kernels/run.sh [--steps N] [--targets rp2040,qemu-mps2-an386,...] [--models ds_cnn_s,...] [--jobs N]
#
# HARKEN names the binary (use a release build); the oracle venv provides Python.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
HARKEN="${HARKEN:-$root/.build/release/harken}"
PY="${HARKEN_PYTHON:-$root/.venv/bin/python}"
[ -x "$HARKEN" ] || { echo "no harken binary at $HARKEN (swift build -c release --product harken, or set HARKEN)" >&2; exit 1; }
exec "$PY" "$here/kernels.py" --harken "$HARKEN" "$@"
