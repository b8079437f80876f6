#!/usr/bin/env bash
# Unpacks a current curl (8.x, from Debian bookworm-backports) into build/peers/curl-backports for
# the benchmarks, WITHOUT adding backports to the machine's apt sources or replacing Debian 12's
# curl 7.88.1, which the tests keep using.
#
# Why: curl 7.88.1 sometimes waits 1 s before it connects a data connection when the server's
# reply to EPSV is already there as it sends the command (docs/performance.md, "Small files in
# stream mode"), and over FTPS it waits 0.2-1 s per file. On loopback that decides the figure of
# a run of many small files against any fast server. bench/small_files.py and bench/ftps.py
# measure with both curls when this one is unpacked.
#
# How: a private apt configuration (its own sources list, package lists and cache under
# build/peers/curl-backports/apt) fetches the curl and libcurl4 .debs with `apt-get download`;
# `dpkg -x` unpacks them. Their other libraries are Debian 12's. Idempotent.
# Usage: scripts/curl-backports.sh     then: build/peers/curl-backports/curl --version
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dest=${FTPSPEC_PEERS_DIR:-$root/build/peers}/curl-backports
suite=bookworm-backports
launcher=$dest/curl

if [[ -x $launcher ]] && "$launcher" --version >/dev/null 2>&1; then
  echo "curl-backports: $("$launcher" --version | head -n1 | cut -d' ' -f1-2) already in $dest"
  exit 0
fi

apt_dir=$dest/apt
rm -rf "$dest"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$dest/debs"
echo "deb http://deb.debian.org/debian $suite main" >"$apt_dir/sources.list"
apt_options=(
  -o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
  -o APT::Sandbox::User=root  # the sandbox user _apt cannot write into our folder
)
apt-get "${apt_options[@]}" update -qq
(cd "$dest/debs" && apt-get "${apt_options[@]}" download -q "curl/$suite" "libcurl4/$suite")
for deb in "$dest"/debs/*.deb; do dpkg -x "$deb" "$dest/root"; done

# The unpacked curl must load the unpacked libcurl, not Debian 12's.
cat >"$launcher" <<EOF
#!/bin/sh
LD_LIBRARY_PATH="$dest/root/usr/lib/x86_64-linux-gnu\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec "$dest/root/usr/bin/curl" "\$@"
EOF
chmod +x "$launcher"
if ! "$launcher" --version >/dev/null 2>&1; then
  echo "curl-backports: the unpacked curl does not run:" >&2
  "$launcher" --version >&2 || true
  exit 1
fi
echo "curl-backports: $("$launcher" --version | head -n1) in $dest"
