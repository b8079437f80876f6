#!/usr/bin/env bash
# Configures and builds ftpspec into build/release (or $FTPSPEC_BUILD_DIR).
# Extra arguments are passed to CMake's configure step (e.g. -DFTPSPEC_SANITIZE=ON).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${FTPSPEC_BUILD_DIR:-$root/build/release}
# Debian's interpreter owns pytest and pybind11; the pyenv python3 first on PATH has neither.
cmake -S "$root" -B "$build" -G Ninja -DPython_EXECUTABLE=/usr/bin/python3 "$@" >/dev/null
cmake --build "$build" -j"$(nproc)"
echo "build: $build"
