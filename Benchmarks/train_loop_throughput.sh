#!/usr/bin/env bash
# Windows per second of the real training loop (TrainingData.batch: augmentation and frontend, plus
# forward, backward and AdamW update) on a corpus, the on-the-fly data path beside the cached one
# (feature banks made ahead and renewed in rotation), same corpus, model and thread count, in one
# invocation per preset; prints the ratio cached / on-the-fly.
#
#   bash Benchmarks/train_loop_throughput.sh [--data build/data/hey_jarvis] [--batches 30] [--presets "tiny esp32"] [--json]
#
# Timed: the banks' first making (epoch 0) and their renewal for epoch 1, then `--batches` batches
# of epoch 1. `run` is a whole run of the preset at those rates: epochs × epoch windows over
# (first making + renewals + batches and steps); `epoch` is one epoch after the first.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="$ROOT/build/data/hey_jarvis" BATCHES=30 PRESETS="tiny esp32" JSON=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --data) DATA="$2"; shift 2 ;;
        --batches) BATCHES="$2"; shift 2 ;;
        --presets) PRESETS="$2"; shift 2 ;;
        --json) JSON=1; shift ;;
        *) echo "train_loop_throughput.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
HARKEN="${HARKEN:-$ROOT/.build/release/harken}"
[[ -x "$HARKEN" ]] || { echo "train_loop_throughput.sh: no $HARKEN; run 'make build'" >&2; exit 1; }
[[ -f "$DATA/manifest.jsonl" ]] || { echo "train_loop_throughput.sh: no corpus in $DATA; run 'harken synth --out $DATA ...'" >&2; exit 1; }
rows=()
for preset in $PRESETS; do
    rows+=("$(HARKEN_THROUGHPUT_CORPUS="$DATA" HARKEN_THROUGHPUT_DATA_PATHS=on-the-fly,cached \
        "$HARKEN" train --phrase bench --out "$ROOT/build/bench-train" --preset "$preset" --measure-throughput "$BATCHES" --json \
        | python3 -c "import json, sys; r = json.load(sys.stdin); r['preset'] = '$preset'; print(json.dumps(r))")")
done
printf '%s\n' "${rows[@]}" | python3 -c "
import json, sys
rows = [json.loads(l) for l in sys.stdin]
if $JSON:
    print(json.dumps(rows, indent=2)); sys.exit()
for r in rows:
    old, new = (next(l for l in r['loop'] if l['data_path'] == p) for p in ('on-the-fly', 'cached'))
    print(f\"{r['preset']} ({r['architecture']}, batch {r['batch']}, {r['threads']} threads, {old['epoch_windows']} windows x {old['epochs']} epochs; network alone {r['samples_per_second']:.0f}/s)\")
    for l in (old, new):
        print(f\"  {l['data_path']:10s} run {l['windows_per_second']:7.1f}/s  epoch {l['epoch_windows_per_second']:7.1f}/s  data alone {l['data_windows_per_second']:7.1f}/s\"
              f\"  (banks {l['preparation_seconds']:.1f} s, renewal {l['refresh_seconds']:.2f} s/epoch)\")
    print(f\"  ratio cached / on-the-fly: run {new['windows_per_second'] / old['windows_per_second']:.2f}, epoch {new['epoch_windows_per_second'] / old['epoch_windows_per_second']:.2f}; peak RSS {r['peak_rss_bytes'] / 1e6:.0f} MB\")
"
