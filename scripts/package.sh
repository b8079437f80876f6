#!/usr/bin/env bash
# Makes ftpspec's installable packages into dist/ (or $FTPSPEC_PACKAGE_DIR):
#   ftpspec_VERSION_ARCH.deb                 CPack (cmake/FtpspecInstall.cmake): /usr/bin/ftpspec,
#                                            /usr/bin/ftpspecd, the suite, docs and man pages;
#                                            `apt-get install ./ftpspec_*.deb` on Debian 12
#   ftpspec-VERSION-cp311-cp311-linux_*.whl  pip wheel: the Python package with the ftpspec and
#                                            ftpspecd commands, the suite, the pytest plugin and
#                                            ftpspec.locust (docs/python.md)
# Both come from the build tree (build/release or $FTPSPEC_BUILD_DIR): the wheel's extension is
# that tree's _core, not a second compile. Set-up and build run first unless --no-build is given
# (the tests package the tree they test). Prints the packages' paths.
#   scripts/package.sh [--no-build] [deb] [wheel]     (default: both)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${FTPSPEC_BUILD_DIR:-$root/build/release}
out=${FTPSPEC_PACKAGE_DIR:-$root/dist}
build_first=1
kinds=()
for arg in "$@"; do
  case $arg in
    --no-build) build_first=0 ;;
    deb|wheel) kinds+=("$arg") ;;
    *) echo "package.sh: unknown argument '$arg' (--no-build, deb, wheel)" >&2; exit 2 ;;
  esac
done
((${#kinds[@]})) || kinds=(deb wheel)

if ((build_first)); then
  "$root/scripts/setup.sh"
  FTPSPEC_BUILD_DIR=$build "$root/scripts/build.sh"
elif [[ ! -f $build/CPackConfig.cmake ]]; then
  echo "package.sh: $build is not a configured build tree (run scripts/build.sh, or drop --no-build)" >&2
  exit 2
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)

for kind in "${kinds[@]}"; do
  if [[ $kind == deb ]]; then
    # CPack's staging tree goes into a temporary folder, never into the build tree.
    staging=$(mktemp -d)
    trap 'rm -rf "$staging"' EXIT
    if ! (cd "$build" && cpack -G DEB -B "$staging" >"$staging/cpack.log" 2>&1); then
      cat "$staging/cpack.log" >&2
      exit 1
    fi
    for deb in "$staging"/*.deb; do mv -f "$deb" "$out/" && echo "$out/$(basename "$deb")"; done
  else
    # Debian's interpreter (pybind11, setuptools); the build reuses $build (setup.py).
    FTPSPEC_CMAKE_BUILD_DIR=$build /usr/bin/python3 -m pip wheel -q --no-build-isolation --no-index --no-deps \
      -w "$out" "$root"
    ls -t "$out"/ftpspec-*.whl | head -1
  fi
done
