// SPDX-License-Identifier: MIT
#include "server/state/sqlite_migrations.hpp"
#include "server/state/sqlite_state_store.hpp"
#include "state_contract.hpp"

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <unistd.h>

#include <filesystem>

using namespace oauthctl::server::state;
using contract::ok;
namespace fs = std::filesystem;

namespace {

// A fresh directory per test case, removed when the case ends.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("oauthctl-state-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

} // namespace

TEST_SUITE("server.state") {
  TEST_CASE("sqlite state store in memory: the state store contract") {
    contract::check_state_contract([] { return ok(open_sqlite_state_store(k_sqlite_memory)); });
  }

  TEST_CASE("sqlite state store on a file: the state store contract") {
    const TempDir dir;
    int n = 0;
    contract::check_state_contract(
      [&] { return ok(open_sqlite_state_store((dir.path / ("s" + std::to_string(n++) + ".db")).string())); });
  }

  TEST_CASE("sqlite state store: two connections on one file share single use") {
    // Two processes on one file are two connections: the code is used once across them,
    // and a revocation written by one is seen by the other's next poll.
    const TempDir dir;
    const auto path = (dir.path / "shared.db").string();
    auto a = ok(open_sqlite_state_store(path));
    auto b = ok(open_sqlite_state_store(path));
    const auto seen = ok(b->revocations_since(0)).version;
    for (int round = 0; round < 10; ++round) {
      const auto hash = "shared-" + std::to_string(round);
      ok(a->put_code(contract::code_row(hash)));
      std::atomic<int> winners{0};
      std::atomic<int> errors{0};
      contract::race(4, [&](int i) {
        auto used = (i % 2 == 0 ? *a : *b).use_code(hash, "app");
        if (!used) {
          ++errors;
        } else if (used->first == CodeUse::ok) {
          ++winners;
        }
      });
      CHECK(errors.load() == 0);
      CHECK(winners.load() == 1);
    }
    ok(a->revoke_access("jti-a", contract::k_now + 60));
    const auto delta = ok(b->revocations_since(seen));
    REQUIRE(delta.added.size() == 1);
    CHECK(delta.added[0].jti == "jti-a");
    CHECK(ok(b->revocations_since(delta.version)).added.empty());
  }

  TEST_CASE("sqlite state store: a store written by the previous release upgrades in place") {
    const TempDir dir;
    const auto path = dir.path / "old.db";
    fs::copy_file(fs::path(OAUTHCTL_FIXTURES_DIR) / "store-v3.db", path);
    for (int open = 0; open < 2; ++open) { // the second open finds nothing to migrate
      auto store = ok(open_sqlite_state_store(path.string()));
      const auto keys = ok(store->keys());
      REQUIRE(keys.size() == 1);
      CHECK(keys[0].kid == "old-kid");
      CHECK(keys[0].retired_at == 0);
      const auto client = ok(store->client("demo-client"));
      REQUIRE(client.has_value());
      CHECK(client->secret_hash == "$scrypt$fixture");
      CHECK(client->source == Source::config); // dropped at the next start unless seeded again
      CHECK(ok(store->user("demo"))->secret_hash == "$scrypt$fixture-user");
      CHECK(ok(store->revocations_since(0)).added.size() >= 1);
      CHECK(contract::revoked_in(*store, "jti-revoked"));
      CHECK_FALSE(ok(store->use_jti(JtiKind::client_assertion, "demo-client", "used-assertion",
                                    contract::k_now + 60, contract::k_now)));
    }
    auto store = ok(open_sqlite_state_store(path.string()));
    CHECK(ok(store->family_of("jti-in-family")) == "fam-1");
    // The live refresh token rotates; the rotated one, presented again, revokes its family.
    CHECK(ok(store->rotate_refresh({"hash-live", "demo-client", contract::k_now, "hash-next", 4000000000}))
            .first == RefreshUse::ok);
    CHECK(
      ok(store->rotate_refresh({"hash-rotated", "demo-client", contract::k_now, "x", 4000000000})).first ==
      RefreshUse::replayed);
    CHECK(contract::revoked_in(*store, "jti-in-family"));
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* statement = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, "SELECT version FROM schema_version", -1, &statement, nullptr) ==
            SQLITE_OK);
    REQUIRE(sqlite3_step(statement) == SQLITE_ROW);
    CHECK(sqlite3_column_int(statement, 0) == static_cast<int>(k_sqlite_migrations.size()));
    sqlite3_finalize(statement);
    sqlite3_close(db);
  }

  TEST_CASE("sqlite state store: a newer schema is refused, not damaged") {
    const TempDir dir;
    const auto path = (dir.path / "new.db").string();
    { auto store = ok(open_sqlite_state_store(path)); }
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "UPDATE schema_version SET version = 99", nullptr, nullptr, nullptr) ==
            SQLITE_OK);
    sqlite3_close(db);
    auto reopened = open_sqlite_state_store(path);
    REQUIRE_FALSE(reopened.has_value());
    CHECK(reopened.error().kind == oauthctl::util::ErrorKind::io);
    CHECK(reopened.error().message.find("newer oauthctl") != std::string::npos);
  }

  TEST_CASE("store locations: sqlite:PATH, bare paths, postgres URIs, and nonsense") {
    CHECK(ok(parse_store_location("sqlite:/tmp/x.db")).target == "/tmp/x.db");
    CHECK(ok(parse_store_location("sqlite::memory:")).target == ":memory:");
    CHECK(ok(parse_store_location("/var/lib/serve.db")).engine == StoreLocation::Engine::sqlite);
    CHECK(ok(parse_store_location("postgres://u@127.0.0.1:5432/db")).engine ==
          StoreLocation::Engine::postgres);
    CHECK(ok(parse_store_location("postgresql://u@h/db")).engine == StoreLocation::Engine::postgres);
    CHECK(parse_store_location("mysql://x").error().kind == oauthctl::util::ErrorKind::usage);
    CHECK_FALSE(parse_store_location("sqlite:").has_value());
  }

  TEST_CASE("store locations as serve prints them: never a password") {
    const auto shown = [](const std::string& spec) {
      auto location = ok(parse_store_location(spec));
      return describe_store_location(location);
    };
    CHECK(shown("sqlite:/tmp/x.db") == "SQLite file /tmp/x.db");
    CHECK(shown("sqlite::memory:") == "SQLite in memory (nothing is kept after exit)");
    CHECK(shown("postgres://u@127.0.0.1:5432/db") == "postgres://u@127.0.0.1:5432/db");
    CHECK(shown("postgres://u:s3cr%40t@h:5432/db") == "postgres://u:***@h:5432/db");
    CHECK(shown("postgresql://u:p@ss@h/db") == "postgresql://u:***@h/db");
    CHECK(shown("postgres://u@h/db?sslmode=require&password=s3cret&x=1") ==
          "postgres://u@h/db?sslmode=require&password=***&x=1");
    CHECK(shown("postgres://u@h/db?oldpassword=keep&password=s") ==
          "postgres://u@h/db?oldpassword=keep&password=***");
    CHECK(shown("postgres://h:5432/db") == "postgres://h:5432/db");
  }
}
