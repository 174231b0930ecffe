#!/usr/bin/env bash
# Harken Studio in headless Chromium: the Evaluate screen over 2 h of stream scores, the Search
# screen over 10,000 runs (time from navigation start to the screen's data-ready="1", median of 5),
# and Listen's round trip per microphone chunk (median and p95). Goals: < 1000 ms, < 1000 ms,
# < 100 ms; reported as met or not met, never asserted.
#
#   Benchmarks/studio/run.sh [--json OUT.json] [--work DIR]
#
# The inputs are made once in DIR (default a new folder under /tmp) and reused when it is given
# again: a small synthesized corpus, microWakeWord's hey_jarvis, `harken eval --out` of that model
# on a copy of the corpus whose test split streams 120 minutes (its own test speakers repeated with
# varied gain and noise by ../make_hour.py), a tiny trained run, and 10,000 run folders shaped
# like it. HARKEN (default .build/release/harken: the product as users run it; make build) and
# HARKEN_PYTHON (default .venv/bin/python) choose
# the binary and the Python with selenium.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
HARKEN=${HARKEN:-$REPO/.build/release/harken}
PY=${HARKEN_PYTHON:-$REPO/.venv/bin/python}
HERE=$REPO/Benchmarks/studio
JSON=""
WORK=""
while [ $# -gt 0 ]; do
  case "$1" in
    --json) JSON=$(realpath -m "$2"); shift 2 ;;
    --work) WORK=$(realpath -m "$2"); shift 2 ;;
    *) echo "usage: $0 [--json OUT.json] [--work DIR]" >&2; exit 2 ;;
  esac
done
[ -x "$HARKEN" ] || { echo "$HARKEN: build it first (make build, or swift build -c release --product harken)" >&2; exit 1; }
WORK=${WORK:-$(mktemp -d /tmp/harken-studio-bench-XXXXXX)}
mkdir -p "$WORK"
echo "studio bench: inputs in $WORK"
MODEL=$("$PY" scripts/mww_model.py hey_jarvis)
STUDIO_JSON='{"schema_version":1,"phrase":"hey jarvis","preset":"tiny"}'

if [ ! -f "$WORK/corpus/manifest.jsonl" ]; then
  echo "studio bench: synthesizing the small corpus"
  "$HARKEN" synth --phrase "hey jarvis" --out "$WORK/corpus" --speakers 40 --variations 2 --near-misses 1 --negatives 2 \
    --test-minutes 1 --validation-minutes 1 --train-minutes 1 --seed 3 >/dev/null
fi

# Evaluate: one evaluation of hey_jarvis on 2 h of stream.
EP=$WORK/evaluate-project
if [ ! -f "$EP/evaluations/bench2h/evaluation.json" ]; then
  echo "studio bench: scoring 120 minutes of stream"
  rm -rf "$EP"
  mkdir -p "$EP/models" "$EP/evaluations"
  cp "$MODEL" "${MODEL%.tflite}.json" "$EP/models/"
  echo "$STUDIO_JSON" > "$EP/studio.json"
  "$PY" "$HERE/page_load.py" stream-corpus "$WORK/corpus" "$EP/corpus" --minutes 120
  "$HARKEN" eval --model "$EP/models/hey_jarvis.tflite" --data "$EP/corpus" --split test --out "$EP/evaluations/bench2h" >/dev/null
  echo '{"schema_version":1,"model":"hey_jarvis","split":"test"}' > "$EP/evaluations/bench2h/evaluation.json"
fi

# Search: 10,000 runs shaped like a real tiny run.
SP=$WORK/search-project
if [ ! -f "$SP/runs/run-09999/report.json" ]; then
  if [ ! -f "$WORK/tiny-run/report.json" ]; then
    echo "studio bench: training a tiny run to copy"
    rm -rf "$WORK/tiny-run"
    "$HARKEN" train --phrase "hey jarvis" --preset tiny --epochs 2 --data "$WORK/corpus" --out "$WORK/tiny-run" >/dev/null
  fi
  rm -rf "$SP"
  mkdir -p "$SP"
  echo "$STUDIO_JSON" > "$SP/studio.json"
  "$PY" "$HERE/page_load.py" make-runs "$WORK/tiny-run" "$SP/runs" --count 10000
fi

# Listen: the fake microphone plays the corpus's own test stream (speech over noise, 60 s).
LISTEN_WAV=$("$PY" - "$WORK/corpus" <<'EOF'
import json, os, sys
for line in open(os.path.join(sys.argv[1], "manifest.jsonl")):
    r = json.loads(line)
    if r["split"] == "test" and r["kind"] == "stream":
        print(os.path.join(sys.argv[1], r["path"])); break
EOF
)

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
serve() { # project log: a server in the background, its pid kept for the cleanup
  "$HARKEN" serve --project "$1" --port 0 >"$2" 2>&1 &
  PIDS+=($!)
}
address() { # log -> the URL the server printed
  for _ in $(seq 1 300); do
    url=$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$1" | head -1 || true)
    [ -n "$url" ] && { echo "$url"; return; }
    sleep 0.1
  done
  echo "harken serve printed no address (see $1)" >&2
  exit 1
}
serve "$EP" "$WORK/serve-evaluate.log"
serve "$SP" "$WORK/serve-search.log"
EV_URL=$(address "$WORK/serve-evaluate.log")
SE_URL=$(address "$WORK/serve-search.log")

"$PY" "$HERE/page_load.py" measure --evaluate-url "$EV_URL" --search-url "$SE_URL" --listen-url "$EV_URL" \
  --search-runs 10000 --fake-audio "$LISTEN_WAV" --harken "$HARKEN" ${JSON:+--json "$JSON"}
