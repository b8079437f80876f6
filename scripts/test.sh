#!/usr/bin/env bash
# Sets up, builds, pip-installs the Python package into .venv (offline, Debian's interpreter),
# and runs every test (C++ gtest and Python pytest, the latter against the installed package)
# through CTest.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${FTPSPEC_BUILD_DIR:-$root/build/release}
venv=$root/.venv
"$root/scripts/setup.sh"
"$root/scripts/peers.sh"   # vsftpd, ProFTPD (+ mod_tls), pure-ftpd, inetutils ftpd unpacked into build/peers
FTPSPEC_BUILD_DIR=$build "$root/scripts/build.sh" -DFTPSPEC_PYTEST_PYTHON="$venv/bin/python"

# The documented offline install (docs/python.md); FTPSPEC_CMAKE_BUILD_DIR lets setup.py reuse
# the tree just built instead of compiling the engine a second time.
[[ -x $venv/bin/pip ]] || /usr/bin/python3 -m venv --system-site-packages "$venv"
FTPSPEC_CMAKE_BUILD_DIR=$build "$venv/bin/pip" install -q --no-build-isolation --no-index "$root"

cd "$build"
ctest --output-on-failure --timeout 2400 -j2 "$@"
