#!/usr/bin/env bash
# Installs the Debian packages remap needs (when missing), then configures and
# builds it into build/ (or $REMAP_BUILD_DIR). Safe to run again: it installs
# only what is absent.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${REMAP_BUILD_DIR:-$root/build}

# Build tools and libraries; pocl-opencl-icd gives an OpenCL device on any CPU.
packages=(
    gcc make cmake pkg-config
    ocl-icd-opencl-dev opencl-c-headers pocl-opencl-icd
    libcyaml-dev libyaml-dev
    libhdf5-dev
    librandom123-dev
    libcriterion-dev
    # FFTW: the power spectrum of orientation maps (hypercolumn size).
    libfftw3-dev
    # Debian's Python with NumPy and h5py: the NumPy peer in bench/.
    python3-numpy python3-h5py
    libpng-dev libfreetype-dev fonts-dejavu-core
    libglfw3-dev libepoxy-dev xvfb xauth libgl1-mesa-dri
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done

if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}"
    if [ "$(id -u)" -eq 0 ]; then
        sudo=()
    elif command -v sudo >/dev/null && { sudo -n true 2>/dev/null || [ -t 0 ]; }; then
        # Without a cached password, sudo asks for one at the terminal.
        sudo=(sudo)
    else
        echo "setup: cannot install packages without root; run:" >&2
        echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# REMAP_CMAKE_ARGS adds configure options (e.g. -DREMAP_SANITIZE=ON).
# shellcheck disable=SC2086
cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE="${REMAP_BUILD_TYPE:-Release}" \
    ${REMAP_CMAKE_ARGS:-} >/dev/null
cmake --build "$build_dir" --parallel "$(nproc)"
