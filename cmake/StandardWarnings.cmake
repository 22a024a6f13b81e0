# SPDX-License-Identifier: MIT
# Warnings for our own code only; third-party headers come in as system includes.
add_library(oauthctl_warnings INTERFACE)
# Off by default: a user's or packager's plain `cmake` build must not fail on a newer
# compiler's new warning or a known false positive (GCC 12 -O3 -Wrestrict inside
# std::string). Developers get -Werror from the `dev` preset and `make build/test`, CI too.
option(OAUTHCTL_WERROR "Treat warnings as errors" OFF)
target_compile_options(oauthctl_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
  -Wcast-align -Wdouble-promotion -Wextra-semi
  $<$<BOOL:${OAUTHCTL_WERROR}>:-Werror>)
