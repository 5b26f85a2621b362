#!/usr/bin/env bash
# The measured runs behind the README's issue-16 numbers (bench/results-peers-{mlp,cnn}-wasm-2core.json,
# bench/conv-strategy-wasm-2core.json, bench/growth-wasm-2core.{json,md,svg}), one after the
# other so that no two share the cores; load average logged before and after each.
set -euo pipefail
cd "$(dirname "$0")/.."
log=bench/measure-2core.log
: > "$log"
step() { echo "== $(date -u +%FT%TZ) $(cut -d' ' -f1-3 /proc/loadavg) :: $*" | tee -a "$log"; "$@" 2>>"$log" | tee -a "$log"; }
step npx tsx bench/peers.bench.ts --config mlp --reference-iterations 2 --jax-reps 2 --out bench/results-peers-mlp-wasm-2core.json
step npx tsx bench/conv-strategy.bench.ts --config cnn,resnet --reps 7 --skip-slow --out bench/conv-strategy-wasm-2core.json
step npx tsx bench/growth.bench.ts --reps 3 --out bench/growth-wasm-2core.json --svg bench/growth.svg --md bench/growth-wasm-2core.md
# jax-js's cnn calls take tens of seconds each: one timed call after the compiling one.
step npx tsx bench/peers.bench.ts --config cnn --reference-iterations 2 --jax-reps 1 --out bench/results-peers-cnn-wasm-2core.json
echo "== $(date -u +%FT%TZ) $(cut -d' ' -f1-3 /proc/loadavg) :: done" | tee -a "$log"
