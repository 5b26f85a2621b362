#!/usr/bin/env bash
# Run on the lent GPU machine (after scripts/gpu-prepare.sh here), from the repository root:
#   device run, carry [".gpu", ".gl"], timeout_s 540, command: bash scripts/gpu-check.sh
# Unpacks Node, Dawn, MNIST and the Vulkan loader, then runs .gpu/gpu-check.mjs, which writes
# parity.json, bench.json, sweep/ and summary.json to $OUT. Budget: well under 8 minutes.
set -uo pipefail
OUT=${OUT:-out/gpu-check}
mkdir -p "$OUT" && OUT=$(readlink -f "$OUT")
for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
if [ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]; then
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
fi
work=/tmp/gradconf-gpu && rm -rf "$work" && mkdir -p "$work"
xz -dc .gpu/node.xz > "$work/node" && chmod +x "$work/node"
cp .gpu/gpu-check.mjs .gpu/*.wasm "$work/"
tar xJf .gpu/webgpu.tar.xz -C "$work" && tar xJf .gpu/mnist.tar.xz -C "$work"
{ nvidia-smi -L; ldconfig -p | grep -i vulkan; ls /usr/local/nvidia/share/vulkan/icd.d/ 2>&1; } > "$OUT/env.txt" 2>&1
cd "$work" && timeout 480 ./node gpu-check.mjs --out "$OUT" "$@" 2>&1 | tee "$OUT/log.txt"
echo "gpu-check exit ${PIPESTATUS[0]}"
