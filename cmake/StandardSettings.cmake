# SPDX-License-Identifier: MIT
# Settings our own targets link privately: sanitizers and standard-library assertions.
add_library(oauthctl_settings INTERFACE)

set(OAUTHCTL_SANITIZE "" CACHE STRING "Sanitizers to build with, e.g. address;undefined")
if(OAUTHCTL_SANITIZE)
  list(JOIN OAUTHCTL_SANITIZE "," _oauthctl_sanitizers)
  target_compile_options(oauthctl_settings INTERFACE
    -fsanitize=${_oauthctl_sanitizers} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(oauthctl_settings INTERFACE -fsanitize=${_oauthctl_sanitizers})
endif()
target_compile_definitions(oauthctl_settings INTERFACE
  $<$<CONFIG:Debug>:_GLIBCXX_ASSERTIONS>
  OAUTHCTL_VERSION="${PROJECT_VERSION}")
