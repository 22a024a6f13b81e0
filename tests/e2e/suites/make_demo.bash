# SPDX-License-Identifier: MIT
# README.md's first command, `make demo`, compiles the oauthctl binary only: not the unit
# tests and fuzzers the demo never runs (a third of all objects). Checked on the Makefile's
# own recipe: every `cmake --build` line `make -n demo` would run (pointed at this build
# directory, which has the test targets; demo's own, build-demo, is configured without
# them), asked through ninja which commands it comprises. Fails if demo goes back to
# building `all`.
# Assumption: $OAUTHCTL is <build dir>/src/oauthctl of a Ninja build (as `make build` makes).

suite_requires() {
  command -v make >/dev/null || { echo "no make"; return 1; }
  command -v ninja >/dev/null || { echo "no ninja"; return 1; }
  [[ -f $(demo_build_dir)/build.ninja ]] || { echo "$(demo_build_dir) is not a Ninja build"; return 1; }
}

demo_build_dir() { (cd "$(dirname "$OAUTHCTL")/.." && pwd); }
MAKE_DEMO_SOURCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
source_dir() { echo "$MAKE_DEMO_SOURCE_DIR"; }

# The targets of each `cmake --build` line in `make -n demo`, one line per build step
# ("all" when the line names none).
demo_build_targets() {
  make -s -n -C "$(source_dir)" demo BUILD="$(demo_build_dir)" DEMO_BUILD="$(demo_build_dir)" |
    grep -E '^cmake --build ' |
    while read -r line; do
      if [[ $line =~ --target[[:space:]]+([^-][^;|&]*) ]]; then
        echo "${BASH_REMATCH[1]}" | sed 's/ -.*//'
      else
        echo all
      fi
    done
}

test_make_demo_builds_the_binary_and_no_test_target() {
  local build targets
  build=$(demo_build_dir)
  targets=$(demo_build_targets) || fail "make -n demo failed"
  [[ -n $targets ]] || fail "make -n demo has no cmake --build line: $(make -s -n -C "$(source_dir)" demo)"
  # shellcheck disable=SC2086
  ninja -C "$build" -t commands $targets >commands.txt || fail "ninja -t commands $targets failed"
  grep -q -- '-o src/oauthctl\b' commands.txt || fail "make demo does not link src/oauthctl (targets: $targets)"
  if grep -E -- '-o tests/|-c [^ ]*/tests/' commands.txt >test-commands.txt; then
    fail "make demo builds test targets ($targets): $(head -n 3 test-commands.txt)"
  fi
}

# The check above is not vacuous: the full build, which `make build` runs, does compile tests.
test_the_full_build_compiles_tests() {
  ninja -C "$(demo_build_dir)" -t commands all >all.txt || fail "ninja -t commands all failed"
  grep -qE -- '-o tests/' all.txt || fail "ninja's full build lists no test objects: the demo check cannot fail"
}
