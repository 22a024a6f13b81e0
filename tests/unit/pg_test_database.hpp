// SPDX-License-Identifier: MIT
#pragma once

// A database of its own for a test case on the throwaway cluster that ctest starts
// (tests/support/pg_cluster.sh, fixture `postgres`). OAUTHCTL_TEST_PG_DIR names the
// cluster's state directory; its `url` file holds the server's URL, its `skip` file the
// reason when the PostgreSQL binaries are absent (the test then exits 125: skipped).

#include "server/pg/connection.hpp"

#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

namespace oauthctl::test {

inline std::string read_first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// The cluster's base URL (postgres://postgres@127.0.0.1:PORT), or nothing when the test
// runs outside ctest (unit_tests started by hand). Exits 125 when the cluster could not
// exist on this machine.
inline std::optional<std::string> pg_cluster_url() {
  const char* dir = std::getenv("OAUTHCTL_TEST_PG_DIR");
  if (dir == nullptr || *dir == '\0') {
    MESSAGE("OAUTHCTL_TEST_PG_DIR is not set: run through ctest (fixture postgres) to test PostgreSQL");
    return std::nullopt;
  }
  if (const auto skip = read_first_line(std::string(dir) + "/skip"); !skip.empty()) {
    std::cout << "SKIP: " << skip << "\n";
    std::exit(125);
  }
  const auto url = read_first_line(std::string(dir) + "/url");
  REQUIRE_MESSAGE(!url.empty(), "the PostgreSQL test cluster is not running: ", dir);
  return url;
}

// Creates database `name` (dropped first when it exists) and returns its URL. `name` is a
// constant of the test ([a-z0-9_]); the process id keeps parallel runs apart.
inline std::string pg_fresh_database(const std::string& base_url, const std::string& name) {
  const auto database = name + "_" + std::to_string(::getpid());
  auto admin = server::pg::Connection::open(base_url + "/postgres");
  REQUIRE_MESSAGE(admin.has_value(), (admin ? std::string() : admin.error().message));
  // CREATE DATABASE takes no parameters; the name is ours, not input.
  auto dropped = (*admin)->exec_script("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
  REQUIRE_MESSAGE(dropped.has_value(), (dropped ? std::string() : dropped.error().message));
  auto created = (*admin)->exec_script("CREATE DATABASE " + database);
  REQUIRE_MESSAGE(created.has_value(), (created ? std::string() : created.error().message));
  return base_url + "/" + database;
}

// Empties database `url` (its public schema) so a store opened on it starts from nothing.
inline void pg_reset_schema(const std::string& url) {
  auto db = server::pg::Connection::open(url);
  REQUIRE_MESSAGE(db.has_value(), (db ? std::string() : db.error().message));
  auto reset = (*db)->exec_script("DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
  REQUIRE_MESSAGE(reset.has_value(), (reset ? std::string() : reset.error().message));
}

// A PostgreSQL cluster of the test's own (tests/support/pg_cluster.sh), for a test that
// stops or restarts its server, which the shared cluster of the other tests must not see.
// Removed when it goes out of scope.
class OwnPgCluster {
public:
  explicit OwnPgCluster(const std::string& name)
      : m_dir((std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()))).string()) {
    REQUIRE_MESSAGE(script("start") == 0, "pg_cluster.sh start failed");
    m_url = read_first_line(m_dir + "/url");
    REQUIRE_MESSAGE(!m_url.empty(), "the test's own cluster has no URL");
  }
  ~OwnPgCluster() {
    (void)script("stop");
    std::filesystem::remove_all(m_dir);
  }
  OwnPgCluster(const OwnPgCluster&) = delete;
  OwnPgCluster& operator=(const OwnPgCluster&) = delete;

  // postgres://postgres@127.0.0.1:PORT/postgres
  [[nodiscard]] std::string url() const { return m_url + "/postgres"; }
  // pg_ctl stop -m fast (every backend told to end, as at a restart); the data stays.
  void stop_server() { REQUIRE(script("pause") == 0); }
  // Starts it again on the same port.
  void start_server() { REQUIRE(script("resume") == 0); }

private:
  int script(const std::string& command) const {
    const auto path = std::string(OAUTHCTL_FIXTURES_DIR) + "/../support/pg_cluster.sh";
    return std::system(("bash '" + path + "' " + command + " '" + m_dir + "' >/dev/null").c_str());
  }

  std::string m_dir;
  std::string m_url;
};

} // namespace oauthctl::test
