#!/usr/bin/env bash
# The main job: set up, build, start ftpspecd on a free loopback port over a temporary root,
# run the full conformance suite against it with the engine, print the summary and write the
# reports into ./ftpspec-report (or $FTPSPEC_REPORT_DIR). Cases run 8 at a time, each on its own
# connection (FTPSPEC_SUITE_JOBS changes the 8; 1 runs them one by one): the wall time is then
# bound by the slowest case, wrong-pass-limit's 3 s of failed-login delays. It is our own server,
# so the intrusive cases (three wrong passwords on one connection) run too.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${FTPSPEC_BUILD_DIR:-$root/build/release}
report=${FTPSPEC_REPORT_DIR:-$root/ftpspec-report}
"$root/scripts/setup.sh"
FTPSPEC_BUILD_DIR=$build "$root/scripts/build.sh"
serve_root=$(mktemp -d)
tls_dir=$(mktemp -d)  # beside the served root, never inside it
trap 'rm -rf "$serve_root" "$tls_dir"' EXIT
mkdir -p "$report"
# A throwaway self-signed certificate: ftpspecd offers AUTH TLS (RFC 4217) only with one.
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 2 \
  -keyout "$tls_dir/key.pem" -out "$tls_dir/cert.pem" 2>/dev/null
# Port 0 in both places: ftpspecd picks a free port and prints it; the runner reads it.
"$build/engine/ftpspec" run \
  --target "ftp://ftpspec:ftpspec@127.0.0.1:0" \
  --launch "$build/reference_server/ftpspecd --listen 127.0.0.1:0 --root $serve_root --user ftpspec:ftpspec --tls-cert $tls_dir/cert.pem --tls-key $tls_dir/key.pem" \
  --suite "$root/scenarios" --jobs "${FTPSPEC_SUITE_JOBS:-8}" --intrusive --report-dir "$report" \
  --format terminal,json,junit,html "$@"
