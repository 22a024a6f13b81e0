// SPDX-License-Identifier: MIT
// The PostgreSQL state store on a real server (the throwaway cluster of the ctest fixture
// `postgres`): the same contract as SQLite, then what only several replicas on one
// database show: migrations racing, single use across stores, a lost connection.
#include "pg_test_database.hpp"
#include "server/pg/migrations.hpp"
#include "server/pg/pool.hpp"
#include "server/state/postgres_migrations.hpp"
#include "server/state/postgres_state_store.hpp"
#include "state_contract.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

using namespace oauthctl::server::state;
using contract::ok;
using oauthctl::server::pg::Connection;
using oauthctl::util::ErrorKind;

namespace {

std::unique_ptr<StateStore> open_store(const std::string& url, std::size_t pool = 4) {
  PostgresOptions options;
  options.url = url;
  options.pool_size = pool;
  return ok(open_postgres_state_store(options));
}

} // namespace

TEST_SUITE("server.state.postgres") {
  TEST_CASE("postgres state store: the state store contract") {
    const auto base = oauthctl::test::pg_cluster_url();
    if (!base) {
      return;
    }
    const auto url = oauthctl::test::pg_fresh_database(*base, "contract");
    contract::check_state_contract([&] {
      oauthctl::test::pg_reset_schema(url);
      return open_store(url);
    });
  }

  TEST_CASE("postgres state store: replicas starting at once migrate once and agree on the schema") {
    const auto base = oauthctl::test::pg_cluster_url();
    if (!base) {
      return;
    }
    const auto url = oauthctl::test::pg_fresh_database(*base, "migrate_race");
    std::atomic<int> opened{0};
    std::atomic<int> failed{0};
    contract::race(6, [&](int) {
      PostgresOptions options;
      options.url = url;
      options.pool_size = 1;
      if (auto store = open_postgres_state_store(options)) {
        ++opened;
      } else {
        ++failed;
      }
    });
    CHECK(opened == 6);
    CHECK(failed == 0);
    auto db = ok(Connection::open(url));
    auto rows =
      ok(db->exec("SELECT version, count(*) FROM schema_version GROUP BY version ORDER BY version"));
    REQUIRE(rows.size() == static_cast<int>(k_postgres_migrations.size()));
    for (int step = 0; step < rows.size(); ++step) {
      CHECK(rows.int64(step, 0) == step + 1);
      CHECK(rows.int64(step, 1) == 1); // applied once, not once per replica
    }
  }

  TEST_CASE("postgres state store: a schema newer than this build is refused") {
    const auto base = oauthctl::test::pg_cluster_url();
    if (!base) {
      return;
    }
    const auto url = oauthctl::test::pg_fresh_database(*base, "newer_schema");
    open_store(url);
    auto db = ok(Connection::open(url));
    ok(db->exec("INSERT INTO schema_version (version, name) VALUES (99, 'from the future')"));
    PostgresOptions options;
    options.url = url;
    const auto refused = open_postgres_state_store(options);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().kind == ErrorKind::config);
    CHECK(refused.error().message.find("newer") != std::string::npos);
  }

  TEST_CASE("postgres state store: two replicas on one database share single use") {
    const auto base = oauthctl::test::pg_cluster_url();
    if (!base) {
      return;
    }
    const auto url = oauthctl::test::pg_fresh_database(*base, "replicas");
    auto a = open_store(url);
    auto b = open_store(url);
    for (int round = 0; round < 20; ++round) {
      const auto n = std::to_string(round);
      // A code: one `ok` among concurrent redemptions on both replicas.
      ok(a->put_code(contract::code_row("code-" + n)));
      std::atomic<int> codes{0};
      // A refresh token: one rotation wins; the losers see `replayed`, and the family is revoked.
      ok(a->put_refresh(contract::refresh_row("rt-" + n, "family-" + n)));
      std::atomic<int> rotations{0};
      // A jti: recorded once.
      std::atomic<int> jtis{0};
      std::atomic<int> errors{0};
      contract::race(6, [&](int i) {
        auto& store = i % 2 == 0 ? *a : *b;
        if (auto used = store.use_code("code-" + n, "app"); !used) {
          ++errors;
        } else if (used->first == CodeUse::ok) {
          ++codes;
        }
        RefreshRotation rotation{"rt-" + n, "app", contract::k_now, "rt-" + n + "-next-" + std::to_string(i),
                                 contract::k_now + 3600};
        if (auto rotated = store.rotate_refresh(rotation); !rotated) {
          ++errors;
        } else if (rotated->first == RefreshUse::ok) {
          ++rotations;
        }
        if (auto used = store.use_jti(JtiKind::client_assertion, "app", "jti-" + n, contract::k_now + 60,
                                      contract::k_now);
            !used) {
          ++errors;
        } else if (*used) {
          ++jtis;
        }
      });
      CHECK(errors == 0);
      CHECK(codes == 1);
      CHECK(rotations == 1);
      CHECK(jtis == 1);
      // Five replays of the rotated token revoked its family: the successor is dead too.
      const auto successor = ok(b->refresh("rt-" + n));
      REQUIRE(successor.has_value());
      CHECK(successor->family_revoked);
    }
  }

  TEST_CASE("postgres state store: replicas starting at once on a new database sign with one key") {
    // Each replica that finds no active key generates one; only the first insert may win,
    // or tokens signed by one replica are refused by the other.
    const auto base = oauthctl::test::pg_cluster_url();
    if (!base) {
      return;
    }
    const auto url = oauthctl::test::pg_fresh_database(*base, "first_key");
    auto a = open_store(url);
    auto b = open_store(url);
    for (int round = 0; round < 10; ++round) {
      const auto n = std::to_string(round);
      std::atomic<int> added{0};
      std::atomic<int> errors{0};
      contract::race(6, [&](int i) {
        auto& store = i % 2 == 0 ? *a : *b;
        const KeyRecord key{
          "k-" + n + "-" + std::to_string(i), "RS256", "pem", contract::k_now + round, 0, 0};
        if (auto first = store.add_first_key(key); !first) {
          ++errors;
        } else if (*first) {
          ++added;
        }
      });
      CHECK(errors == 0);
      CHECK(added == 1);
      const auto keys = ok(b->keys());
      const auto active =
        std::count_if(keys.begin(), keys.end(), [](const auto& key) { return key.retired_at == 0; });
      REQUIRE(active == 1);
      const auto winner =
        std::find_if(keys.begin(), keys.end(), [](const auto& key) { return key.retired_at == 0; });
      ok(a->retire_key(winner->kid, contract::k_now + round, contract::k_now + round + 60));
    }
  }

  TEST_CASE("postgres state store: a revocation on one replica reaches the other's next read") {
    const auto base = oauthctl::test::pg_cluster_url();
    if (!base) {
      return;
    }
    const auto url = oauthctl::test::pg_fresh_database(*base, "revocations");
    auto a = open_store(url);
    auto b = open_store(url);
    const auto start = ok(b->revocations_since(0)).version;
    ok(a->put_refresh(contract::refresh_row("rt", "fam")));
    ok(a->add_family_token("fam", "at-1", contract::k_now + 300));
    ok(a->revoke_access("at-0", contract::k_now + 300));
    ok(a->revoke_family("fam"));
    const auto delta = ok(b->revocations_since(start));
    CHECK(delta.version > start);
    REQUIRE(delta.added.size() == 2);
    CHECK(delta.added[0].jti == "at-0");
    CHECK(delta.added[1].jti == "at-1");
    CHECK(ok(b->revocations_since(delta.version)).added.empty());
    // A token issued in the family after its revocation is revoked at once.
    ok(b->add_family_token("fam", "at-2", contract::k_now + 300));
    const auto late = ok(a->revocations_since(delta.version));
    REQUIRE(late.added.size() == 1);
    CHECK(late.added[0].jti == "at-2");
  }

  TEST_CASE("postgres state store: connections the database closed cost no caller an error") {
    const auto base = oauthctl::test::pg_cluster_url();
    if (!base) {
      return;
    }
    const auto url = oauthctl::test::pg_fresh_database(*base, "reconnect");
    auto store = open_store(url, 2);
    ok(store->put_client({"app", R"({"id":"app"})", "", Source::admin, 0}));
    // What a database restart does to every open connection.
    auto admin = ok(Connection::open(url));
    ok(admin->exec("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
                   " WHERE datname = current_database() AND pid <> pg_backend_pid()"));
    // The pooled connection is found closed and replaced before the statement is sent.
    const auto back = ok(store->client("app"));
    REQUIRE(back.has_value());
    CHECK(back->id == "app");
    ok(store->put_client({"other", R"({"id":"other"})", "", Source::admin, 0}));
    CHECK(ok(store->clients()).size() == 2);
  }
}

TEST_SUITE("server.state.postgres") {
  TEST_CASE("postgres state store: a revocation on one replica wakes the other's watcher at once") {
    const auto base = oauthctl::test::pg_cluster_url();
    if (!base) {
      return;
    }
    const auto url = oauthctl::test::pg_fresh_database(*base, "on_change");
    auto a = open_store(url);
    auto b = open_store(url);
    std::atomic<int> wakes{0};
    b->on_change([&] { ++wakes; });
    const auto wait_for = [&](int count, std::chrono::milliseconds limit) {
      const auto deadline = std::chrono::steady_clock::now() + limit;
      while (wakes < count && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
      return wakes >= count;
    };
    REQUIRE(wait_for(1, std::chrono::seconds(5))); // listening (the catch-up wake)
    const auto sent = std::chrono::steady_clock::now();
    ok(a->revoke_access("at-1", contract::k_now + 60));
    REQUIRE(wait_for(2, std::chrono::seconds(2)));
    const auto delay = std::chrono::steady_clock::now() - sent;
    MESSAGE("NOTIFY reached the other store after ",
            std::chrono::duration_cast<std::chrono::microseconds>(delay).count(), " us");
    CHECK(delay < std::chrono::milliseconds(500));
    // A directory change wakes it too; so does nothing else (no busy loop).
    ok(a->put_user({"bob", R"({"id":"bob"})", "", Source::admin, 0}));
    REQUIRE(wait_for(3, std::chrono::seconds(2)));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK(wakes == 3);
    b->on_change(nullptr); // stops listening
    ok(a->revoke_access("at-2", contract::k_now + 60));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK(wakes == 3);
  }
}
