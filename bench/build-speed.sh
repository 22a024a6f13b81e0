#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# How long a clean build of one target takes (default `oauthctl`, what `make demo` compiles)
# in each way of building, with ccache off so every object is really compiled:
#   plain      one object per .cpp
#   unity      OAUTHCTL_UNITY_BUILD=ON (batches of OAUTHCTL_UNITY_BATCH_SIZE .cpp files)
#   pch        OAUTHCTL_PCH=ON (json, fmt, CLI11 precompiled once per module)
#   unity+pch  both (the default since this script's figures, cmake/BuildSpeed.cmake)
# then the incremental rebuild after touching one .cpp file (INCREMENTAL_FILE), the
# developer's loop. Each line: wall seconds, user+sys CPU seconds (all compilers and the
# linker), and the 1-minute load average before the build, since the machine may be shared.
#
#   bench/build-speed.sh [VARIANT...]   JOBS (2), TARGET (oauthctl), WORK (/tmp/oauthctl-build-speed),
#                                       INCREMENTAL (1; 0 skips the touch-one-file rebuild)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jobs=${JOBS:-2}
target=${TARGET:-oauthctl}
work=${WORK:-/tmp/oauthctl-build-speed}
incremental_file=${INCREMENTAL_FILE:-src/cli/commands/fhir.cpp}
incremental=${INCREMENTAL:-1} # 0: clean builds only
variants=("$@")
((${#variants[@]})) || variants=(plain unity pch unity+pch)
export CCACHE_DISABLE=1

# The flags of the Makefile's build (make demo / make test).
common=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG"
  -DOAUTHCTL_WERROR=ON -DOAUTHCTL_CCACHE=OFF)

options_for() {
  case $1 in
    plain) echo -DOAUTHCTL_UNITY_BUILD=OFF -DOAUTHCTL_PCH=OFF ;;
    unity) echo -DOAUTHCTL_UNITY_BUILD=ON -DOAUTHCTL_PCH=OFF ;;
    pch) echo -DOAUTHCTL_UNITY_BUILD=OFF -DOAUTHCTL_PCH=ON ;;
    unity+pch) echo -DOAUTHCTL_UNITY_BUILD=ON -DOAUTHCTL_PCH=ON ;;
    *) echo "unknown variant $1 (plain, unity, pch, unity+pch)" >&2; return 2 ;;
  esac
}

# timed LABEL COMMAND...: runs COMMAND, prints LABEL, wall and user+sys seconds.
timed() {
  local label=$1 load
  shift
  load=$(cut -d' ' -f1 /proc/loadavg)
  if ! /usr/bin/time -f '%e %U %S' -o "$work/time" "$@" >"$work/log" 2>&1; then
    grep -m 20 -E 'error|FAILED' "$work/log" >&2 || tail -n 20 "$work/log" >&2
    printf '%-24s FAILED (log above)\n' "$label"
    return 1
  fi
  read -r wall user sys <"$work/time"
  printf '%-24s wall %7.1f s   cpu(user+sys) %7.1f s   load before %s\n' "$label" "$wall" \
    "$(echo "$user + $sys" | bc)" "$load"
}

# A snapshot of the source tree (tracked and new files): edits made meanwhile, and the
# touch below, must not reach the tree being measured or the developer's own.
mkdir -p "$work"
rm -rf "$work/src" && mkdir -p "$work/src"
git -C "$here" ls-files -co --exclude-standard -z | (cd "$here" && tar --null -T - -cf -) | tar -xf - -C "$work/src"
here=$work/src
echo "target $target, -j$jobs, $(nproc) cores, $(c++ --version | head -n 1), ccache off"
echo "CPU seconds (user+sys of every compiler and linker run) are the figure to compare: wall"
echo "seconds depend on what else runs on the machine (see the load column); on an otherwise"
echo "idle machine, wall is about CPU / -j."
for variant in "${variants[@]}"; do
  build=$work/$variant
  rm -rf "$build"
  # shellcheck disable=SC2046
  cmake -S "$here" -B "$build" "${common[@]}" $(options_for "$variant") >"$work/configure.log"
  if timed "$variant clean" cmake --build "$build" -j"$jobs" --target "$target" && ((incremental)); then
    sleep 1.1 # a coarse file system clock must see the touch as newer
    touch "$here/$incremental_file"
    timed "$variant touch 1 .cpp" cmake --build "$build" -j"$jobs" --target "$target" || true
  fi
  rm -rf "$build"
done
