#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs each libFuzzer target of the sanitizer build (`make fuzz`; in that build ctest's
# label fuzz runs it per target) for FUZZ_SECONDS, starting from its committed seeds (tests/fuzz/corpus/<target>, never written to); what it learns goes to
# BUILD/fuzz-corpus/<target>, crashes to BUILD/fuzz-artifacts/ and, as a reproducer to
# commit, to tests/fuzz/corpus/<target>/. Exit 1 when any target found a crash, leak, UB or
# broken property.
#
#   scripts/run-fuzz.sh BUILD_DIR [TARGET...]     FUZZ_SECONDS (default FUZZ_SECONDS_DEFAULT, else 30)
set -uo pipefail

build=${1:?usage: run-fuzz.sh BUILD_DIR [TARGET...]}
shift
seconds=${FUZZ_SECONDS:-${FUZZ_SECONDS_DEFAULT:-30}}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
corpus=$here/tests/fuzz/corpus
targets=("$@")
if ((${#targets[@]} == 0)); then
  for dir in "$corpus"/*/; do targets+=("$(basename "$dir")"); done
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=()
for target in "${targets[@]}"; do
  binary=$build/tests/fuzz/fuzz_$target
  [[ -x $binary ]] || { echo "no fuzz target $binary (build with -DOAUTHCTL_FUZZ=ON)" >&2; exit 2; }
  mkdir -p "$build/fuzz-corpus/$target" "$build/fuzz-artifacts"
  echo "== fuzz_$target for ${seconds}s"
  if "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=20000 \
    -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/$target-" \
    "$build/fuzz-corpus/$target" "$corpus/$target" >"$build/fuzz-artifacts/$target.log" 2>&1; then
    grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "$build/fuzz-artifacts/$target.log" | tr '\n' ' '
    echo
  else
    echo "FAILED: fuzz_$target; see $build/fuzz-artifacts/$target.log" >&2
    grep -E 'ERROR|runtime error|fuzz property|SUMMARY|Test unit written' "$build/fuzz-artifacts/$target.log" | head -5 >&2
    # The input that failed joins the target's seeds, so ctest's replay (label fuzz)
    # reproduces it from now on: fix the code (or the property), then commit the file.
    for artifact in "$build/fuzz-artifacts/$target-"*; do
      [[ -f $artifact && $artifact != *.log ]] || continue
      cp "$artifact" "$corpus/$target/${artifact##*/$target-}"
      echo "  reproducer: tests/fuzz/corpus/$target/${artifact##*/$target-} (commit it with the fix)" >&2
    done
    failed+=("$target")
  fi
done
if ((${#failed[@]})); then
  echo "fuzz: failures in ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, no failure"
