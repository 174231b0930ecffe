#!/usr/bin/env bash
# Training throughput (samples/s: forward + backward + AdamW update) and peak memory, Harken's
# training engine beside TensorFlow/Keras on CPU, same architecture, batch, input and thread count,
# in one invocation; prints the ratio Harken / Keras per architecture.
#
#   bash Benchmarks/train_throughput.sh [--batch 64] [--steps 30] [--json]
#
# TensorFlow goes into its own venv (build/tfvenv, PyPI tensorflow-cpu) on first use.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BATCH=64 STEPS=30 JSON=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --batch) BATCH="$2"; shift 2 ;;
        --steps) STEPS="$2"; shift 2 ;;
        --json) JSON=1; shift ;;
        *) echo "train_throughput.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
HARKEN="${HARKEN:-$ROOT/.build/release/harken}"
[[ -x "$HARKEN" ]] || { echo "train_throughput.sh: no $HARKEN; run 'make build'" >&2; exit 1; }
TFVENV="$ROOT/build/tfvenv"
if [[ ! -x "$TFVENV/bin/python" ]] || ! "$TFVENV/bin/python" -c "import tensorflow" 2>/dev/null; then
    python3 -m venv "$TFVENV"
    "$TFVENV/bin/pip" install -q "tensorflow-cpu==2.*"
fi
THREADS="$(nproc)"
rows=()
for pair in tiny:tinyconv-v2 esp32:mixednet; do
    preset="${pair%%:*}" arch="${pair##*:}"
    h="$("$HARKEN" train --phrase bench --out "$ROOT/build/bench-train" --preset "$preset" --measure-throughput "$STEPS" --batch "$BATCH" --json)"
    k="$("$TFVENV/bin/python" "$ROOT/Benchmarks/keras_throughput.py" "$arch" "$BATCH" "$STEPS" "$THREADS" 2>/dev/null | tail -1)"
    rows+=("$(python3 - "$h" "$k" <<'PY'
import json, sys
h, k = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(json.dumps({"architecture": h["architecture"], "batch": h["batch"], "threads": h["threads"],
                  "harken_samples_per_second": round(h["samples_per_second"], 1),
                  "keras_samples_per_second": round(k["samples_per_second"], 1),
                  "ratio": round(h["samples_per_second"] / k["samples_per_second"], 2),
                  "harken_peak_rss_mb": round(h["peak_rss_bytes"] / 1e6, 1),
                  "keras_peak_rss_mb": round(k["peak_rss_bytes"] / 1e6, 1)}))
PY
)")
done
if [[ "$JSON" == 1 ]]; then
    printf '%s\n' "${rows[@]}" | python3 -c "import json,sys; print(json.dumps([json.loads(l) for l in sys.stdin], indent=2))"
else
    printf '%s\n' "${rows[@]}" | python3 -c "
import json, sys
for r in map(json.loads, sys.stdin):
    print(f\"{r['architecture']:12s} batch {r['batch']} x {r['threads']} threads: Harken {r['harken_samples_per_second']:8.1f}/s, Keras {r['keras_samples_per_second']:8.1f}/s, ratio {r['ratio']:.2f}; peak RSS {r['harken_peak_rss_mb']} MB vs {r['keras_peak_rss_mb']} MB\")"
fi
