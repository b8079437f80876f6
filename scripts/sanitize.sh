#!/usr/bin/env bash
# Builds every C++ target with AddressSanitizer + UBSan into build/asan and runs the C++ tests
# through CTest. Leaks and the first UB report fail the run.
# The Python extension is not built here: loading it under ASan needs libasan preloaded into the
# interpreter, so the pytest suite runs in the normal build (scripts/test.sh) instead.
# Usage: scripts/sanitize.sh [extra ctest arguments, e.g. -R proto]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${FTPSPEC_ASAN_BUILD_DIR:-$root/build/asan}
jobs=${FTPSPEC_JOBS:-$(nproc)}

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DFTPSPEC_SANITIZE=ON -DFTPSPEC_BUILD_PYTHON=OFF -DFTPSPEC_BUILD_TESTS=ON >/dev/null
cmake --build "$build" -j"$jobs"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
cd "$build"
# pytest is excluded: it is only registered when the Python module is built, and is excluded
# explicitly in case an older cache still has it.
ctest --output-on-failure --timeout 600 -j"$jobs" -E '^pytest$' "$@"
