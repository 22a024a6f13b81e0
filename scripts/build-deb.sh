#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the .deb the way a Debian packager builds a CMake project: a plain Release
# configure (warnings stay warnings) with the distribution's hardening and optimisation
# flags from dpkg-buildflags, no tests; then CPack, then lintian, which must report no
# error. Prints the path of the .deb last.
#
#   scripts/build-deb.sh BUILD_DIR      JOBS (2); EXTRA_CMAKE_ARGS, e.g. the unity/PCH options
set -euo pipefail
build=${1:?usage: build-deb.sh BUILD_DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jobs=${JOBS:-2}

# dpkg-buildflags: -O2 -g, -fstack-protector-strong, -D_FORTIFY_SOURCE=2 (CPPFLAGS, which
# CMake does not read, so it joins CXXFLAGS), -Wl,-z,relro (LDFLAGS).
CXXFLAGS="$(dpkg-buildflags --get CPPFLAGS) $(dpkg-buildflags --get CXXFLAGS)"
LDFLAGS=$(dpkg-buildflags --get LDFLAGS)
export CXXFLAGS LDFLAGS
# shellcheck disable=SC2086
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF ${EXTRA_CMAKE_ARGS:-} >"$build.configure.log" ||
  { cat "$build.configure.log" >&2; exit 1; }
cmake --build "$build" -j"$jobs" --target oauthctl
(cd "$build" && cpack -G DEB >cpack.log) || { cat "$build/cpack.log" >&2; exit 1; }
deb=$(find "$build" -maxdepth 1 -name 'oauthctl_*.deb' | head -n 1)
[[ -n $deb ]] || { echo "cpack made no .deb in $build" >&2; exit 1; }
if command -v lintian >/dev/null; then
  # Errors fail the build; warnings and notes are printed (see README.md for the known ones).
  lintian --fail-on error --display-info "$deb" >&2
fi
echo "$deb"
