# SPDX-License-Identifier: MIT
# Faster builds from nothing: unity batches and precompiled headers, both ON by default, so
# every build that starts from an empty directory gets them without asking: `make demo`,
# `make test` (clang ASan), CI, `make package` and a packager's plain `cmake` Release build.
# bench/build-speed.sh measures each way (clean build of oauthctl, ccache off; README.md has
# the figures). Turn them off for a quick edit-compile loop: in a unity build touching one
# .cpp recompiles its whole batch (up to OAUTHCTL_UNITY_BATCH_SIZE files):
#   cmake -B build -DOAUTHCTL_UNITY_BUILD=OFF -DOAUTHCTL_PCH=OFF     (or make build FAST_BUILD=OFF)
# A build directory configured before these became the default keeps its cached OFF.
# With PCH off a file must include what it uses: the precompiled headers no longer do it.
option(OAUTHCTL_UNITY_BUILD "Compile each module in batches of a few .cpp files (UNITY_BUILD)" ON)
set(OAUTHCTL_UNITY_BATCH_SIZE 8 CACHE STRING "Source files per unity batch (0: a module in one batch)")
option(OAUTHCTL_PCH "Precompile the heavy third-party headers once per module" ON)

# oauthctl_build_speed(TARGET [NO_UNITY] [SEPARATE FILE...] [PCH HEADER...]) applies the
# options above to TARGET. PCH: the third-party headers most of its files include.
# SEPARATE: files (relative to the calling directory) compiled on their own in a unity
# build; none today (each costs 2-3 times what it costs in a batch: PCH load and the
# json/fmt template code compiled again). A file-local helper that has the name of
# another file's is renamed or shared instead. NO_UNITY: no batches at all.
function(oauthctl_build_speed target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "NO_UNITY" "" "SEPARATE;PCH")
  if(OAUTHCTL_UNITY_BUILD AND NOT arg_NO_UNITY)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE ${OAUTHCTL_UNITY_BATCH_SIZE})
    if(arg_SEPARATE)
      set_source_files_properties(${arg_SEPARATE} TARGET_DIRECTORY ${target}
        PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
    endif()
  endif()
  if(OAUTHCTL_PCH AND arg_PCH)
    target_precompile_headers(${target} PRIVATE ${arg_PCH})
  endif()
endfunction()
