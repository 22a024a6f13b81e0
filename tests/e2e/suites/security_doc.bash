# SPDX-License-Identifier: MIT
# docs/security.md names, for each rule, the tests that show it, so a reader can run them:
# every test it cites must exist under that name, and every doctest case must be runnable
# by name through ctest (no ';' in a name: ctest splits on it and runs nothing).

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)

test_every_test_cited_in_security_md_exists() {
  python3 "$REPO_ROOT/tests/e2e/cited_tests.py" "$REPO_ROOT" >problems.txt 2>&1 ||
    fail "docs/security.md cites tests that cannot be run: $(cat problems.txt)"
}

test_the_check_finds_a_missing_test_and_a_semicolon() {
  # The check itself can fail: a copy of the repository's docs and tests with one cited
  # name changed and one case named with a ';'.
  mkdir -p copy/docs copy/tests/unit copy/tests/e2e/suites copy/tests/browser
  cp "$REPO_ROOT/docs/security.md" copy/docs/
  cp "$REPO_ROOT"/tests/unit/*.?pp copy/tests/unit/
  cp "$REPO_ROOT"/tests/e2e/suites/*.bash copy/tests/e2e/suites/
  cp "$REPO_ROOT"/tests/browser/*.mjs copy/tests/browser/
  sed -i 's/U `redirect_uri_matches`/U `redirect_uri_matches_nothing`/' copy/docs/security.md
  printf 'TEST_CASE("one; two") {}\n' >copy/tests/unit/semicolon.cpp
  python3 "$REPO_ROOT/tests/e2e/cited_tests.py" copy >problems.txt 2>&1 && fail "the check passed a broken copy"
  grep -F 'no unit test case named: redirect_uri_matches_nothing' problems.txt >/dev/null ||
    fail "missing test not reported: $(cat problems.txt)"
  grep -F "unit test case name with ';' (ctest cannot run it): one; two" problems.txt >/dev/null ||
    fail "semicolon not reported: $(cat problems.txt)"
}
