#!/usr/bin/env bash
# Bundle a gradconf entry point and all it imports (tfjs included) into one ESM file for a bare
# machine: the way scripts/gpu-prepare.sh builds .gpu/gpu-check.mjs, and what
# src/cli/bundle.test.ts checks runs without the source tree beside it.
# Usage: bash scripts/gpu-bundle.sh ENTRY.ts OUT.mjs
set -euo pipefail
cd "$(dirname "$0")/.."
npx esbuild "$1" --bundle --platform=node --format=esm --target=node20 \
  --outfile="$2" --external:webgpu --external:@tensorflow/tfjs-node --external:@tensorflow/tfjs-node-gpu \
  --banner:js="import { createRequire as __cr } from 'module'; import { fileURLToPath as __fu } from 'url'; import { dirname as __dn } from 'path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);" \
  --log-level=warning
