# SPDX-License-Identifier: MIT
# `cmake --install` into a temporary prefix and the CPack .deb.
# Assumption: $OAUTHCTL is <build dir>/src/oauthctl (as tests/CMakeLists.txt passes it with
# $<TARGET_FILE:oauthctl>), so the build directory is two levels up; override with
# OAUTHCTL_BUILD_DIR. The build must be configured with the current CMakeLists.txt.

suite_requires() {
  local build
  build=$(build_dir)
  [[ -f $build/cmake_install.cmake ]] || {
    echo "no cmake_install.cmake in $build (set OAUTHCTL_BUILD_DIR)"
    return 1
  }
}

build_dir() {
  if [[ -n ${OAUTHCTL_BUILD_DIR:-} ]]; then
    echo "$OAUTHCTL_BUILD_DIR"
  else
    (cd "$(dirname "$OAUTHCTL")/.." && pwd)
  fi
}

test_cmake_install_into_a_prefix() {
  local prefix=$TEST_DIR/prefix
  cmake --install "$(build_dir)" --prefix "$prefix" >install.log 2>&1 || fail "cmake --install: $(cat install.log)"
  local f
  for f in bin/oauthctl share/man/man1/oauthctl.1.gz share/bash-completion/completions/oauthctl \
    share/zsh/vendor-completions/_oauthctl share/fish/vendor_completions.d/oauthctl.fish \
    share/doc/oauthctl/copyright share/doc/oauthctl/changelog.Debian.gz; do
    [[ -e $prefix/$f ]] || fail "$f not installed: $(cd "$prefix" && find . -type f)"
  done
  [[ -x $prefix/bin/oauthctl ]] || fail "bin/oauthctl is not executable"
  OAUTHCTL=$prefix/bin/oauthctl run_cli --version
  expect_exit 0
  [[ $(head -n 1 "$TEST_DIR/stdout") == "oauthctl 0.1.0" ]] || fail "installed --version: $STDOUT"
  # The installed binary works on its own: the demo server and a token from it.
  OAUTHCTL=$prefix/bin/oauthctl start_server
  XDG_CACHE_HOME=$TEST_DIR/cache OAUTHCTL=$prefix/bin/oauthctl run_cli token --server "$SERVER_URL" \
    --client-id demo-client --client-secret demo-secret
  expect_exit 0
  expect_stdout '^ey'
  if command -v man >/dev/null; then
    MANPATH=$prefix/share/man man -w oauthctl >/dev/null 2>&1 || fail "man does not find the installed page"
  fi
}

test_deb_package() {
  if ! command -v cpack >/dev/null || ! command -v dpkg-deb >/dev/null; then
    echo "SKIP: no cpack or dpkg-deb"
    return 0
  fi
  local build
  build=$(build_dir)
  [[ -f $build/CPackConfig.cmake ]] || fail "no CPackConfig.cmake in $build: reconfigure the build"
  cpack --config "$build/CPackConfig.cmake" -G DEB -B "$TEST_DIR/pkg" >cpack.log 2>&1 || fail "cpack: $(cat cpack.log)"
  local deb
  deb=$(find "$TEST_DIR/pkg" -maxdepth 1 -name 'oauthctl_0.1.0-1_*.deb' | head -n 1)
  [[ -n $deb ]] || fail "no oauthctl_0.1.0-1_*.deb: $(ls "$TEST_DIR/pkg")"
  dpkg-deb -c "$deb" >contents.txt || fail "dpkg-deb -c failed"
  local f
  for f in ./usr/bin/oauthctl ./usr/share/man/man1/oauthctl.1.gz ./usr/share/bash-completion/completions/oauthctl \
    ./usr/share/zsh/vendor-completions/_oauthctl ./usr/share/fish/vendor_completions.d/oauthctl.fish \
    ./usr/share/doc/oauthctl/copyright ./usr/share/doc/oauthctl/changelog.Debian.gz; do
    grep -q " $f\$" contents.txt || fail "$f not in the package: $(cat contents.txt)"
  done
  # The binary is stripped: no debug info in the package.
  dpkg-deb -x "$deb" root || fail "dpkg-deb -x failed"
  file root/usr/bin/oauthctl | grep -q ', stripped' || fail "not stripped: $(file root/usr/bin/oauthctl)"
  # Decompressed to a file first: `zcat | grep -q` under pipefail fails whenever grep exits
  # on its match before zcat has written the rest of the page (SIGPIPE), as it did in CI.
  zcat root/usr/share/man/man1/oauthctl.1.gz >man.txt || fail "the gzipped man page does not decompress"
  grep -q '^\.TH OAUTHCTL' man.txt || fail "the gzipped man page is not oauthctl(1)"
  dpkg-deb -f "$deb" >control.txt
  grep -q '^Package: oauthctl$' control.txt || fail "package name: $(cat control.txt)"
  grep -q '^Homepage:' control.txt && fail "a Homepage the project does not have: $(cat control.txt)"
  grep -qi 'example\.org' control.txt && fail "an example.org maintainer: $(cat control.txt)"
  # An extended description: indented lines after the summary line.
  (($(sed -n '/^Description:/,/^[A-Z]/p' control.txt | grep -c '^ ') >= 2)) ||
    fail "no extended description: $(cat control.txt)"
  if command -v lintian >/dev/null; then
    # Errors fail; warnings are listed in the log (README.md names the expected ones).
    lintian --fail-on error "$deb" >lintian.txt 2>&1 || fail "lintian errors: $(cat lintian.txt)"
    cat lintian.txt
  else
    echo "no lintian: the package was not checked by it"
  fi
  local dep
  for dep in libcurl4 libsqlite3-0 libssl3 libfmt9 libcpp-httplib0.11 libpq5 libyaml-cpp0.7; do
    grep -q "$dep" control.txt || fail "Depends lacks $dep: $(cat control.txt)"
  done
}
