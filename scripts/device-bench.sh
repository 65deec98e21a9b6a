#!/usr/bin/env bash
# Runs the bench ladder on a machine with a GPU, from what
# scripts/device-pack.sh put in .device: lists the OpenCL devices, then
# `remap bench` (its check against the reference backend first) up to a
# million units, writing devices.txt, bench.txt, bench.json and
# bench.log into $OUT (default ./device-out). Extra arguments go to
# remap bench (--quick for a smoke run). Where no ICD file names the
# NVIDIA OpenCL driver, the loader is pointed at libnvidia-opencl.so.1
# itself.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=${OUT:-device-out}
mkdir -p "$out"
if [ ! -x .device/remap ]; then
    echo "device-bench: no .device/remap; run scripts/device-pack.sh first" >&2
    exit 2
fi
export LD_LIBRARY_PATH="$PWD/.device/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

if ! grep -qs nvidia /etc/OpenCL/vendors/*.icd; then
    driver=""
    for dir in /usr/local/nvidia/lib64 /usr/local/nvidia/lib \
        /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib; do
        if [ -e "$dir/libnvidia-opencl.so.1" ]; then
            driver="$dir/libnvidia-opencl.so.1"
            break
        fi
    done
    if [ -n "$driver" ]; then
        mkdir -p /tmp/remap-icd
        echo "$driver" >/tmp/remap-icd/nvidia.icd
        export OCL_ICD_VENDORS=/tmp/remap-icd
        echo "device-bench: OpenCL driver $driver (no ICD file named it)"
    else
        echo "device-bench: no NVIDIA OpenCL driver found; using the ICD files there are"
    fi
fi

.device/remap devices | tee "$out/devices.txt"
.device/remap bench --json "$out/bench.json" "$@" >"$out/bench.txt" \
    2>"$out/bench.log" || {
    status=$?
    cat "$out/bench.log" >&2
    exit "$status"
}
cat "$out/bench.txt"
