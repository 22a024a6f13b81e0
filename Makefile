# SPDX-License-Identifier: MIT
# The two set-up commands of README.md live here: `make demo` and `make test`.
SHELL := /bin/bash
BUILD ?= build
ASAN_BUILD ?= build-asan
DEB_BUILD ?= build-deb
FUZZ_SECONDS ?= 15
JOBS ?= 2
# Line tables only (-g1): enough for crash and sanitizer backtraces with file:line, and it
# makes these builds about a third faster than full -g (measured on one server TU: ASan
# 9.7 s -> 5.8 s, -O2 7.1 s -> 5.0 s). Configure by hand with -g to step through code.
# Warnings are errors for developers and CI (a plain `cmake` build leaves them warnings).
DEV_FLAGS := -DCMAKE_CXX_FLAGS_RELWITHDEBINFO='-O2 -g1 -DNDEBUG' -DOAUTHCTL_WERROR=ON
# The sanitizer build is clang's, with libFuzzer's coverage instrumentation, so one build
# runs every test under ASan+UBSan and is also the fuzzing build (CI used to compile the
# tree twice with gcc, developer and ASan, and ran every test in both: 45 min). -O1, as
# ASan's documentation advises for speed. clang's UBSan also checks vptrs, which gcc's does
# not (it caught a use-after-free in the Ctrl-C path). The transport is built without UBSan
# here (clang 14 cannot compile it so; src/server/CMakeLists.txt).
ASAN_FLAGS := -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_CXX_FLAGS_DEBUG='-g1 -O1' -DOAUTHCTL_WERROR=ON \
  -DOAUTHCTL_SANITIZE='address;undefined' -DOAUTHCTL_FUZZ=ON
# Unity batches and precompiled headers are CMake's default (cmake/BuildSpeed.cmake): every
# build from nothing (demo, test, package) gets them. FAST_BUILD=OFF turns both off in the
# build directory (a quicker edit-compile loop: one touched .cpp recompiles one file, not
# its batch); FAST_BUILD=ON turns them back on; unset, the directory keeps what it has.
FAST_BUILD ?=
SPEED_FLAGS := $(if $(FAST_BUILD),-DOAUTHCTL_UNITY_BUILD=$(FAST_BUILD) -DOAUTHCTL_PCH=$(FAST_BUILD))
OAUTHCTL := $(BUILD)/src/oauthctl
# `make demo` builds in a directory of its own, for the one binary the demo runs, as fast as
# a 2-core machine allows:
# - each module in ONE unity batch without precompiled headers: the json/fmt/std template
#   code is compiled once per module instead of once per batch of 8 (oauth: 28 CPU s
#   instead of 70); nobody edits in this directory, so big batches cost nothing later;
# - -O1 without debug info (the Beast transport: 51 CPU s instead of 70 at -O2 -g1);
# - no test target even configured; linked by gold (binutils; 1.6 CPU s against 2.5).
# What the user gets, build-demo/src/oauthctl, is a complete, optimised oauthctl without
# debug line tables; the developers' build (`make build`: -O2 -g1, warnings as errors,
# tests, batches of 8) is build/. Warnings stay warnings here: no CI job compiles with these
# flags, so a new user's first command cannot fail on one.
DEMO_BUILD ?= build-demo
DEMO_FLAGS := -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE='-O1 -DNDEBUG' -DBUILD_TESTING=OFF \
  -DOAUTHCTL_UNITY_BUILD=ON -DOAUTHCTL_UNITY_BATCH_SIZE=0 -DOAUTHCTL_PCH=OFF \
  $(if $(wildcard /usr/bin/ld.gold),-DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=gold)

# Debian packages: what the build needs, then what the tests drive.
BUILD_DEPS := build-essential cmake ninja-build pkg-config clang-format ccache \
  libcli11-dev libcurl4-openssl-dev nlohmann-json3-dev libcpp-httplib-dev libfmt-dev \
  doctest-dev libssl-dev libsqlite3-dev libexpected-dev libpq-dev libboost1.81-dev libyaml-cpp-dev
TEST_DEPS := curl jq wrk python3 python3-authlib python3-requests sqlite3 chromium \
  bash-completion zsh fish dpkg-dev file postgresql libxml2-utils clang libclang-rt-14-dev
BENCH_DEPS := wrk hyperfine openssl bc jq curl python3 postgresql

.PHONY: all deps test-deps bench-deps configure build demo test test-dev asan-build test-asan fuzz package check-format format bench bench-transport clean

all: build

deps:
	@scripts/apt-install.sh $(BUILD_DEPS)

test-deps: deps
	@scripts/apt-install.sh $(TEST_DEPS)
	@command -v node >/dev/null || scripts/apt-install.sh nodejs npm
	@for d in tests/browser tests/interop; do \
	  [ -d $$d/node_modules ] || (cd $$d && npm ci --no-audit --no-fund --loglevel=error); \
	done

bench-deps: deps
	@scripts/apt-install.sh $(BENCH_DEPS)

configure: deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(DEV_FLAGS) $(SPEED_FLAGS) >/dev/null

build: configure
	cmake --build $(BUILD) -j$(JOBS)

# Starts `oauthctl serve --demo` on its embedded SQLite store, runs client_credentials
# against it, prints the token and a FHIR Bundle of patients, then stops the server.
# Builds the oauthctl binary only, in $(DEMO_BUILD) (DEMO_FLAGS above), not the tests and
# fuzzers the demo never runs (e2e.make_demo checks this recipe).
demo: deps
	cmake -S . -B $(DEMO_BUILD) -G Ninja $(DEMO_FLAGS) $(SPEED_FLAGS) >/dev/null
	cmake --build $(DEMO_BUILD) -j$(JOBS) --target oauthctl
	@bash scripts/demo.sh $(DEMO_BUILD)/src/oauthctl $(DEMO_BUILD)/demo

# All the tests: formatting, then the ASan+UBSan build (clang) running every ctest label
# (unit, postgres, cli, e2e, browser, interop, fuzz); label fuzz runs each libFuzzer target
# for FUZZ_SECONDS from its seeds. `make test-dev` runs the same tests in the optimised
# developer build (gcc), the quicker loop.
test: check-format test-asan

test-dev: build test-deps
	ctest --test-dir $(BUILD) -j$(JOBS) --output-on-failure

asan-build: deps test-deps
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug $(ASAN_FLAGS) $(SPEED_FLAGS) >/dev/null
	cmake --build $(ASAN_BUILD) -j$(JOBS)

test-asan: asan-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --test-dir $(ASAN_BUILD) -j$(JOBS) --output-on-failure

# libFuzzer on every parser that reads network input, FUZZ_SECONDS per target, in the
# sanitizer build, from the seeds in tests/fuzz/corpus (a failing input is copied there as
# a reproducer). `make test` runs the same for 15 s per target; this is the longer run.
fuzz: asan-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/run-fuzz.sh $(ASAN_BUILD)

# The .deb, built as a Debian packager would (plain Release with dpkg-buildflags, warnings
# not errors), checked by lintian; CI builds it once so a default build can never fail again.
package: deps
	@scripts/apt-install.sh lintian dpkg-dev file
	JOBS=$(JOBS) EXTRA_CMAKE_ARGS="$(SPEED_FLAGS)" scripts/build-deb.sh $(DEB_BUILD)

check-format: deps
	@files=$$(git ls-files '*.cpp' '*.hpp'); clang-format --dry-run --Werror $$files && echo "clang-format: clean"

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

bench: build bench-deps
	bash bench/run.sh $(OAUTHCTL)
	bash bench/startup.sh $(OAUTHCTL)

# The transport of `serve` against a previous build: make bench-transport OLD=path/to/oauthctl
bench-transport: build bench-deps
	@[ -n "$(OLD)" ] || { echo "usage: make bench-transport OLD=path/to/previous/oauthctl"; exit 2; }
	bash bench/transport.sh $(OLD) $(OAUTHCTL)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(DEB_BUILD) $(DEMO_BUILD)
