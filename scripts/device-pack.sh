#!/usr/bin/env bash
# Packs remap for a machine that has a GPU but no package registry: the
# Release binary and every shared library it loads (except the C
# library's own, which the machine has) into .device/, ignored by git,
# for scripts/device-bench.sh to run there. Run it here, then carry
# .device to the device machine (docs/bench.md, "On a lent GPU").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build=${REMAP_BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" --target remap_cli >/dev/null
rm -rf .device
mkdir -p .device/lib
cp "$build/remap" .device/
# Every library the dynamic linker resolves, except glibc's, whose
# version the machine's own dynamic linker must match.
ldd "$build/remap" | awk '/=> \// {print $3}' |
    grep -v -E '/(libc|libm|libdl|libpthread|librt|libresolv)\.so' |
    while read -r lib; do cp -L "$lib" .device/lib/; done
echo "device-pack: $(du -sh .device | cut -f1) in .device ($(ls .device/lib | wc -l) libraries)"
