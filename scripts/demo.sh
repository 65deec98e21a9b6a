#!/usr/bin/env bash
# The main job end to end on a fresh machine: installs what is missing,
# builds, and runs the default scenario (the stroke story) on the
# best OpenCL device here. Extra arguments go to `remap run`.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh"
build_dir=${REMAP_BUILD_DIR:-$root/build}
"$build_dir/remap" devices
exec "$build_dir/remap" run "$@"
