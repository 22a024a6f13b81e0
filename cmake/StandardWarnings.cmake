# SPDX-License-Identifier: MIT
# Warnings for our own code only; third-party headers come in as system includes.
add_library(oauthctl_warnings INTERFACE)
option(OAUTHCTL_WERROR "Treat warnings as errors" ON)
target_compile_options(oauthctl_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
  -Wcast-align -Wdouble-promotion -Wextra-semi
  $<$<BOOL:${OAUTHCTL_WERROR}>:-Werror>)
