# SPDX-License-Identifier: MIT
# What `cmake --install` puts beside the binary, and the Debian package CPack builds from it.
# Included from the top-level CMakeLists.txt after the oauthctl target exists.

install(FILES ${PROJECT_SOURCE_DIR}/man/oauthctl.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
# The locations each shell's own packages load completions from on Debian.
install(FILES ${PROJECT_SOURCE_DIR}/completions/oauthctl.bash
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME oauthctl)
install(FILES ${PROJECT_SOURCE_DIR}/completions/_oauthctl
  DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES ${PROJECT_SOURCE_DIR}/completions/oauthctl.fish
  DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)

# `cpack -G DEB` in the build directory builds oauthctl_<version>_<arch>.deb.
set(CPACK_PACKAGE_NAME oauthctl)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_CONTACT "oauthctl maintainers <oauthctl@example.org>")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/oauthctl/oauthctl")
# The runtime libraries of the Debian 12 packages we build against (dpkg -S on each .so
# that `ldd oauthctl` lists; the C and C++ runtimes come with every Debian system).
set(CPACK_DEBIAN_PACKAGE_DEPENDS
  "libc6 (>= 2.36), libstdc++6 (>= 12), libgcc-s1, libcurl4 (>= 7.88), libsqlite3-0 (>= 3.40), libssl3 (>= 3.0), libfmt9 (>= 9.1), libcpp-httplib0.11, libpq5 (>= 15)")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "bash-completion")
include(CPack)
