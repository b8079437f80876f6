#!/usr/bin/env bash
# Sets up, builds, and runs every test (C++ gtest and Python pytest) through CTest.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${FTPSPEC_BUILD_DIR:-$root/build/release}
"$root/scripts/setup.sh"
"$root/scripts/peers.sh"   # vsftpd, ProFTPD, pure-ftpd unpacked into build/peers for the interop tests
FTPSPEC_BUILD_DIR=$build "$root/scripts/build.sh"
cd "$build"
ctest --output-on-failure --timeout 1800 -j2 "$@"
