#!/usr/bin/env bash
# Builds remap with its tests (installing what is missing) and runs every
# test. Tests that drive OpenCL are serialised by CTest (RUN_SERIAL).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh"
build_dir=${REMAP_BUILD_DIR:-$root/build}
ctest --test-dir "$build_dir" --output-on-failure --timeout 600 "$@"
