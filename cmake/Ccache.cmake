# SPDX-License-Identifier: MIT
# ccache when it is installed: a rebuild after `git checkout`, a second work tree or a clean
# build directory takes seconds instead of minutes. A launcher the user chose
# (-DCMAKE_CXX_COMPILER_LAUNCHER=..., or the environment variable) wins; OAUTHCTL_CCACHE=OFF
# or CCACHE_DISABLE=1 at build time turn it off.
option(OAUTHCTL_CCACHE "Compile through ccache when it is installed" ON)
if(OAUTHCTL_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER AND NOT DEFINED ENV{CMAKE_CXX_COMPILER_LAUNCHER})
  find_program(OAUTHCTL_CCACHE_PROGRAM ccache)
  if(OAUTHCTL_CCACHE_PROGRAM)
    set(CMAKE_CXX_COMPILER_LAUNCHER ${OAUTHCTL_CCACHE_PROGRAM})
  endif()
endif()
