#!/usr/bin/env bash
# Judge server throughput and latency: `harken judge serve` on an untrained device-size probe Judge
# (the real Judge's shape and cost: 180 frames x 40 channels, about 4.6 M MACs a window), loaded by
# Benchmarks/judge_load.py with CLIENTS concurrent clients for DURATION seconds, then one client for
# SINGLE_SECONDS. Prints requests/s, p50/p99 latency, errors and batch sizes; --json prints one
# object valid against Schemas/judge_server_bench.schema.json.
#
#   bash Benchmarks/judge_server.sh [--json]
#   CLIENTS=200 DURATION=60 SINGLE_SECONDS=20 MAX_BATCH=64 MAX_WAIT_MS=1 bash Benchmarks/judge_server.sh
set -euo pipefail
cd "$(dirname "$0")/.."

HARKEN=${HARKEN:-.build/release/harken}
CLIENTS=${CLIENTS:-200}
DURATION=${DURATION:-60}   # (not SECONDS: bash keeps its own)
SINGLE=${SINGLE_SECONDS:-20}
MAX_BATCH=${MAX_BATCH:-64}
MAX_WAIT_MS=${MAX_WAIT_MS:-1}
JSON=()
[ "${1:-}" = "--json" ] && JSON=(--json)

if [ ! -x "$HARKEN" ]; then
  echo "judge_server: building $HARKEN" >&2
  swift build -c release --product harken >&2
fi

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The Judge alone, in process on one thread: the floor under the server's latency.
"$HARKEN" judge probe --out "$work/judge.tflite" --size device --seed 1 --measure 200 | tee "$work/probe.log" >&2
direct=$(sed -n 's/.* at \([0-9.]*\) ms per window.*/\1/p' "$work/probe.log")
"$HARKEN" judge serve --model "$work/judge.tflite" --port 0 --max-batch "$MAX_BATCH" --max-wait-ms "$MAX_WAIT_MS" \
  >"$work/serve.log" 2>&1 &
server=$!

port=""
for _ in $(seq 1 300); do
  port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$work/serve.log")
  [ -n "$port" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { echo "judge_server: the server did not start" >&2; cat "$work/serve.log" >&2; exit 1; }
echo "judge_server: $(head -1 "$work/serve.log")" >&2

python3 Benchmarks/judge_load.py --port "$port" --clients "$CLIENTS" --seconds "$DURATION" --single-seconds "$SINGLE" \
  --model "probe Judge (device size, untrained, seed 1)" --direct-ms "$direct" "${JSON[@]}"
