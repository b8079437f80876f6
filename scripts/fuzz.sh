#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) into build/fuzz and runs each one for
# SECONDS (default 30) on a copy of its seed corpus (engine/tests/fuzz/corpus/<target>).
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-30}; shift || true
build=$root/build/fuzz
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DFTPSPEC_BUILD_FUZZERS=ON -DFTPSPEC_BUILD_TESTS=OFF -DFTPSPEC_BUILD_PYTHON=OFF >/dev/null
targets=("$@")
if ((${#targets[@]} == 0)); then
  mapfile -t targets < <(cd "$root/engine/tests/fuzz" && ls *_fuzz.cpp | sed 's/\.cpp$//')
fi
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"
failed=0
for target in "${targets[@]}"; do
  corpus_name=${target%_fuzz}
  work=$(mktemp -d)
  cp -r "$root/engine/tests/fuzz/corpus/$corpus_name/." "$work/" 2>/dev/null || true
  echo "fuzz: $target for ${seconds}s"
  if ! "$build/engine/tests/fuzz/$target" -max_total_time="$seconds" -max_len=4096 -rss_limit_mb=1024 \
       -artifact_prefix="$build/$target-" "$work" 2>"$build/$target.log"; then
    echo "fuzz: $target FAILED (log: $build/$target.log)"; tail -30 "$build/$target.log"; failed=1
  else
    grep -E "^#[0-9]+.*DONE|Done [0-9]+ runs" "$build/$target.log" | tail -1
  fi
  rm -rf "$work"
done
exit $failed
