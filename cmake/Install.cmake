# SPDX-License-Identifier: MIT
# What `cmake --install` puts beside the binary, and the Debian package CPack builds from it.
# Included from the top-level CMakeLists.txt after the oauthctl target exists.

# Debian policy §12.1 and §12.7: the man page and the Debian changelog are installed
# gzipped (-n: no name or time stamp, so the package builds reproducibly).
set(OAUTHCTL_GZIPPED_DOCS ${CMAKE_CURRENT_BINARY_DIR}/oauthctl.1.gz ${CMAKE_CURRENT_BINARY_DIR}/changelog.Debian.gz)
find_program(OAUTHCTL_GZIP gzip REQUIRED)
add_custom_command(OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/oauthctl.1.gz
  COMMAND sh -c "'${OAUTHCTL_GZIP}' -9nc '${PROJECT_SOURCE_DIR}/man/oauthctl.1' > oauthctl.1.gz"
  DEPENDS ${PROJECT_SOURCE_DIR}/man/oauthctl.1 WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR} VERBATIM)
add_custom_command(OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/changelog.Debian.gz
  COMMAND sh -c "'${OAUTHCTL_GZIP}' -9nc '${PROJECT_SOURCE_DIR}/packaging/debian/changelog' > changelog.Debian.gz"
  DEPENDS ${PROJECT_SOURCE_DIR}/packaging/debian/changelog WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR} VERBATIM)
add_custom_target(oauthctl_docs DEPENDS ${OAUTHCTL_GZIPPED_DOCS})
# Built with the binary, so `cmake --build --target oauthctl` (make demo) can install too.
add_dependencies(oauthctl oauthctl_docs)

install(FILES ${CMAKE_CURRENT_BINARY_DIR}/oauthctl.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/debian/copyright ${CMAKE_CURRENT_BINARY_DIR}/changelog.Debian.gz
  DESTINATION ${CMAKE_INSTALL_DOCDIR})
# The locations each shell's own packages load completions from on Debian.
install(FILES ${PROJECT_SOURCE_DIR}/completions/oauthctl.bash
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME oauthctl)
install(FILES ${PROJECT_SOURCE_DIR}/completions/_oauthctl
  DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES ${PROJECT_SOURCE_DIR}/completions/oauthctl.fish
  DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)

# `cpack -G DEB` in the build directory builds oauthctl_<version>-1_<arch>.deb. Build it the
# packager's way (`make package`: Release, dpkg-buildflags, see scripts/build-deb.sh);
# e2e.install runs lintian on it.
set(CPACK_PACKAGE_NAME oauthctl)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION
  "oauthctl is one binary with two halves that meet on the wire. As a client
and flow tester it obtains tokens with every OAuth 2.0 grant (client
credentials, authorization code with PKCE, refresh, password, device code,
token exchange, JWT bearer), shows each exchange step by step, and calls FHIR
APIs with SMART on FHIR scopes. As `oauthctl serve` it runs a local
authorization server with a FHIR resource server, for laptops and CI.")
# No project domain exists: a neutral address under the reserved .invalid top-level
# domain (RFC 2606). lintian refuses user@localhost (bogus-mail-host).
set(CPACK_PACKAGE_CONTACT "oauthctl developers <oauthctl@oauthctl.invalid>")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON) # the 27 MB binary with debug info is 2.5 MB stripped
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1) # the Debian revision, as in packaging/debian/changelog
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The runtime libraries of the Debian 12 packages we build against (dpkg -S on each .so
# that `ldd oauthctl` lists; the C and C++ runtimes come with every Debian system).
set(CPACK_DEBIAN_PACKAGE_DEPENDS
  "libc6 (>= 2.36), libstdc++6 (>= 12), libgcc-s1, libcurl4 (>= 7.88), libsqlite3-0 (>= 3.40), libssl3 (>= 3.0), libfmt9 (>= 9.1), libcpp-httplib0.11, libpq5 (>= 15), libyaml-cpp0.7")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "bash-completion")
include(CPack)
