// SPDX-License-Identifier: MIT
#include "server/state/seed_sync.hpp"
#include "server/state/sqlite_state_store.hpp"

#include <oauthctl/server/demo.hpp>
#include <oauthctl/server/secret_hash.hpp>
#include <oauthctl/server/seed.hpp>
#include <oauthctl/server/server.hpp>

#include <doctest/doctest.h>

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

using namespace oauthctl::server;
using state::open_sqlite_state_store;
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
      // Secrets are hashed at rest soon after start, off the start-up path.
      bool hashed = false;
      for (int i = 0; i < 300 && !hashed; ++i) {
        auto store = open_sqlite_state_store(path);
        REQUIRE(store.has_value());
        const auto client = (*store)->client("demo-client");
        const auto user = (*store)->user("demo");
        hashed = client && *client && (*client)->secret_hash.rfind("$scrypt$", 0) == 0 && user && *user &&
                 (*user)->secret_hash.rfind("$scrypt$", 0) == 0;
        if (!hashed) {
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
      }
      CHECK(hashed);
      CHECK((*server)->issuer() == "http://127.0.0.1:" + std::to_string((*server)->port()));
    }
    struct stat info {};
    REQUIRE(::stat(path.c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
    {
      auto store = open_sqlite_state_store(path);
      REQUIRE(store.has_value());
      const auto keys = (*store)->keys();
      REQUIRE(keys->size() == 1);
      first_kid = keys->front().kid;
    }
    {
      auto server = Server::start(options); // re-seeds the demo set
      REQUIRE(server.has_value());
    }
    auto store = open_sqlite_state_store(path);
    REQUIRE(store.has_value());
    CHECK((*store)->keys()->size() == 1);
    CHECK((*store)->keys()->front().kid == first_kid);
    CHECK((*store)->clients()->size() == 2);
    CHECK((*store)->users()->size() == 1);
    // Still hashed at rest after the second start (the stored hashes matched the seed).
    CHECK((*store)->clients()->front().secret_hash.rfind("$scrypt$", 0) == 0);
    CHECK((*store)->users()->front().secret_hash.rfind("$scrypt$", 0) == 0);
  }

  TEST_CASE("seeded credentials follow their source, admin-created ones stay") {
    const TempDir dir;
    fs::create_directories(dir.path);
    const auto path = (dir.path / "serve.db").string();
    const auto config = (dir.path / "seed.json").string();
    {
      std::ofstream out(config);
      out
        << R"({"resourceType":"Bundle","entry":[)"
           R"({"resource":{"resourceType":"Client","id":"kept","secret":"s1","grant_types":["client_credentials"]}},)"
           R"({"resource":{"resourceType":"Client","id":"removed","secret":"s2","grant_types":["client_credentials"]}}]})";
    }
    std::vector<std::string> lines;
    ServerOptions options;
    options.port = 0;
    options.demo = true;
    options.data_path = path;
    options.config_path = config;
    options.log = [&lines](std::string_view line) { lines.emplace_back(line); };
    { REQUIRE(Server::start(options).has_value()); }
    {
      auto store = open_sqlite_state_store(path);
      REQUIRE(store.has_value());
      CHECK((*store)->clients()->size() == 4); // kept, removed, demo-client, demo-public
      CHECK((*(*store)->client("demo-client"))->source == state::Source::demo);
      CHECK((*(*store)->client("kept"))->source == state::Source::config);
      const state::PrincipalRecord admin{
        "made-by-admin",
        R"({"resourceType":"Client","id":"made-by-admin","grant_types":["client_credentials"]})",
        hash_secret("x", {10, 8, 1}), state::Source::admin, 0};
      REQUIRE((*store)->put_client(admin).has_value());
    }
    {
      std::ofstream out(config);
      out
        << R"({"resourceType":"Bundle","entry":[)"
           R"({"resource":{"resourceType":"Client","id":"kept","secret":"s1","grant_types":["client_credentials"]}}]})";
    }
    options.demo = false;
    lines.clear();
    { REQUIRE(Server::start(options).has_value()); }
    auto store = open_sqlite_state_store(path);
    REQUIRE(store.has_value());
    CHECK((*(*store)->client("kept")).has_value());
    CHECK((*(*store)->client("made-by-admin")).has_value());
    CHECK_FALSE((*(*store)->client("removed")).has_value());
    CHECK_FALSE((*(*store)->client("demo-client")).has_value());
    CHECK_FALSE((*(*store)->client("demo-public")).has_value());
    CHECK_FALSE((*(*store)->user("demo")).has_value());
    const auto logged = [&](const std::string& text) {
      return std::any_of(lines.begin(), lines.end(), [&](const auto& line) { return line.find(text) == 0; });
    };
    CHECK(logged("client demo-client (seeded from --demo) is no longer in the seed: removed"));
    CHECK(logged("client removed (seeded from --config) is no longer in the seed: removed"));
    CHECK(logged("user demo (seeded from --demo)"));
  }

  TEST_CASE("the demo secrets are stored as their published hashes: a start with --demo hashes nothing") {
    auto opened = open_sqlite_state_store(state::k_sqlite_memory);
    REQUIRE(opened.has_value());
    auto& store = **opened;
    // As an older release left it: demo-client's secret under a hash of its own salt.
    const state::PrincipalRecord older{"demo-client", R"({"resourceType":"Client","id":"demo-client"})",
                                       hash_secret(k_demo_client_secret, {4, 1, 1}), state::Source::demo, 0};
    REQUIRE(store.put_client(older).has_value());
    const auto synced = state::sync_seed(store, Seed{}, demo_seed());
    REQUIRE(synced.has_value());
    CHECK(synced->pending_hashes.empty()); // no scrypt run after start
    CHECK(synced->client_secrets.size() == 1);
    CHECK(synced->user_passwords.size() == 1);
    const auto client = *store.client("demo-client");
    const auto user = *store.user("demo");
    REQUIRE(client.has_value());
    REQUIRE(user.has_value());
    CHECK(client->secret_hash != older.secret_hash);
    // Real hashes at the default cost, of exactly the published secrets.
    CHECK(client->secret_hash.rfind("$scrypt$ln=15,r=8,p=1$", 0) == 0);
    CHECK(verify_secret(k_demo_client_secret, client->secret_hash));
    CHECK(verify_secret(k_demo_password, user->secret_hash));
    CHECK_FALSE(verify_secret("demo-secreT", client->secret_hash));
    // A second start finds nothing to write and nothing to check.
    const auto version = *store.directory_version();
    const auto again = state::sync_seed(store, Seed{}, demo_seed());
    REQUIRE(again.has_value());
    CHECK(again->pending_hashes.empty());
    CHECK(*store.directory_version() == version);
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
