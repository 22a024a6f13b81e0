# SPDX-License-Identifier: MIT
# Every dependency is a Debian package (see README.md); nothing is downloaded at build time.
find_package(CLI11 REQUIRED)
find_package(fmt REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(tl-expected REQUIRED)
find_package(CURL REQUIRED)
# Boost.Beast and Boost.Asio (header-only) for the transport of `serve`.
find_package(Boost 1.81 REQUIRED CONFIG)
find_package(OpenSSL 3 REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
# PostgreSQL client (Debian libpq-dev): `serve --store postgres://...` for replicas on one database.
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
# YAML `serve --config` files (Debian libyaml-cpp-dev; 0.7 names its target yaml-cpp).
find_package(yaml-cpp REQUIRED)
