// SPDX-License-Identifier: MIT
#include <oauthctl/server/server.hpp>
#include <oauthctl/server/store.hpp>

#include <doctest/doctest.h>

#include <sys/stat.h>

#include <filesystem>

using namespace oauthctl::server;
namespace fs = std::filesystem;

namespace {

// A fresh directory per test case, removed when the case passes.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("oauthctl-test-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::remove_all(path);
  }
  ~TempDir() { fs::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

} // namespace

TEST_SUITE("server.store") {
  TEST_CASE("sqlite store: upserts never duplicate") {
    auto store = open_sqlite_store(k_memory_store);
    REQUIRE(store.has_value());
    CHECK((*store)->put_client({"a", R"({"id":"a"})", "h1"}).has_value());
    CHECK((*store)->put_client({"a", R"({"id":"a","first_party":true})", "h2"}).has_value());
    CHECK((*store)->put_client({"b", R"({"id":"b"})", ""}).has_value());
    const auto clients = (*store)->clients();
    REQUIRE(clients.has_value());
    REQUIRE(clients->size() == 2);
    CHECK((*clients)[0].secret_hash == "h2");
    CHECK((*store)->put_user({"u", R"({"id":"u"})", "p"}).has_value());
    CHECK((*store)->users()->size() == 1);
    CHECK((*store)->add_key({"k1", "RS256", "pem", 1}).has_value());
    CHECK((*store)->add_key({"k1", "RS256", "other", 2}).has_value());
    REQUIRE((*store)->keys()->size() == 1);
    CHECK((*store)->keys()->front().pem == "pem");
  }

  TEST_CASE("file store: 0600, WAL, and the signing key survives a restart") {
    const TempDir dir;
    const auto path = (dir.path / "nested" / "serve.db").string();
    ServerOptions options;
    options.port = 0;
    options.demo = true;
    options.data_path = path;
    std::string first_kid;
    {
      auto server = Server::start(options);
      REQUIRE(server.has_value());
      CHECK((*server)->port() > 0);
      CHECK((*server)->issuer() == "http://127.0.0.1:" + std::to_string((*server)->port()));
    }
    struct stat info {};
    REQUIRE(::stat(path.c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
    {
      auto store = open_sqlite_store(path);
      REQUIRE(store.has_value());
      const auto keys = (*store)->keys();
      REQUIRE(keys->size() == 1);
      first_kid = keys->front().kid;
    }
    {
      auto server = Server::start(options); // re-seeds the demo set
      REQUIRE(server.has_value());
    }
    auto store = open_sqlite_store(path);
    REQUIRE(store.has_value());
    CHECK((*store)->keys()->size() == 1);
    CHECK((*store)->keys()->front().kid == first_kid);
    CHECK((*store)->clients()->size() == 2);
    CHECK((*store)->users()->size() == 1);
    CHECK((*store)->clients()->front().secret_hash.rfind("$scrypt$", 0) == 0);
  }

  TEST_CASE("start-up errors") {
    const TempDir dir;
    ServerOptions options;
    options.port = 0;
    options.persistence = Persistence::ephemeral;
    options.config_path = (dir.path / "missing.json").string();
    auto missing = Server::start(options);
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().kind == oauthctl::util::ErrorKind::config);

    options.config_path.clear();
    options.port = 70000;
    CHECK_FALSE(Server::start(options).has_value());

    fs::create_directories(dir.path);
    options.port = 0;
    options.persistence = Persistence::sqlite_file;
    options.data_path = dir.path.string(); // a directory is not a database
    auto bad_store = Server::start(options);
    REQUIRE_FALSE(bad_store.has_value());
    CHECK(bad_store.error().kind == oauthctl::util::ErrorKind::io);
  }
}
