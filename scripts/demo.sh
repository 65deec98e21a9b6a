#!/usr/bin/env bash
# The main job end to end on a fresh machine: installs what is missing,
# builds, and shows the default scenario (the stroke story) live in the
# viewer when there is a display; without one it renders the run as PNG
# frames with `remap render` and says where they went. Extra arguments go
# to `remap view` (or `remap render`).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh"
build_dir=${REMAP_BUILD_DIR:-$root/build}
"$build_dir/remap" devices
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    exec "$build_dir/remap" view "$@"
fi
frames=frames/stroke-$(date +%Y%m%d-%H%M%S)
echo "demo: no display here; rendering the run as PNG frames instead"
"$build_dir/remap" render --frames "$frames" "$@"
echo "demo: the frames are in $frames"
