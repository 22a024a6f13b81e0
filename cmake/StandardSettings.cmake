# SPDX-License-Identifier: MIT
# Settings our own targets link privately: sanitizers and standard-library assertions.
add_library(oauthctl_settings INTERFACE)

set(OAUTHCTL_SANITIZE "" CACHE STRING "Sanitizers to build with, e.g. address;undefined")
if(OAUTHCTL_SANITIZE)
  list(JOIN OAUTHCTL_SANITIZE "," _oauthctl_sanitizers)
  # A target marked OAUTHCTL_NO_UBSAN (clang's transport, see src/server/CMakeLists.txt)
  # keeps the other sanitizers: the flag after the list takes UBSan off again.
  target_compile_options(oauthctl_settings INTERFACE
    -fsanitize=${_oauthctl_sanitizers} -fno-omit-frame-pointer -fno-sanitize-recover=all
    $<$<BOOL:$<TARGET_PROPERTY:OAUTHCTL_NO_UBSAN>>:-fno-sanitize=undefined>)
  target_link_options(oauthctl_settings INTERFACE -fsanitize=${_oauthctl_sanitizers})
endif()
# libFuzzer builds of tests/fuzz (the `fuzz` preset, `make fuzz`): every library of ours
# gets coverage instrumentation; the fuzz targets link -fsanitize=fuzzer themselves.
option(OAUTHCTL_FUZZ "Build tests/fuzz as libFuzzer targets (clang only)" OFF)
if(OAUTHCTL_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "OAUTHCTL_FUZZ needs clang's libFuzzer: configure with -DCMAKE_CXX_COMPILER=clang++")
  endif()
  # Except targets marked OAUTHCTL_NO_COVERAGE (the transport, see src/server/CMakeLists.txt).
  target_compile_options(oauthctl_settings INTERFACE
    $<$<NOT:$<BOOL:$<TARGET_PROPERTY:OAUTHCTL_NO_COVERAGE>>>:-fsanitize=fuzzer-no-link>)
endif()
target_compile_definitions(oauthctl_settings INTERFACE
  $<$<CONFIG:Debug>:_GLIBCXX_ASSERTIONS>
  OAUTHCTL_VERSION="${PROJECT_VERSION}")
