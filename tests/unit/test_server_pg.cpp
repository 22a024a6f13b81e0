// SPDX-License-Identifier: MIT
// The libpq layer under the PostgreSQL state store, on a real server (the throwaway
// cluster of the ctest fixture `postgres`): parameters, migrations under the advisory
// lock, the pool across a lost connection, LISTEN/NOTIFY.
#include "pg_test_database.hpp"
#include "server/pg/listener.hpp"
#include "server/pg/migrations.hpp"
#include "server/pg/pool.hpp"

#include <doctest/doctest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <thread>
#include <vector>

using oauthctl::server::pg::Connection;
using oauthctl::server::pg::Listener;
using oauthctl::server::pg::Migration;
using oauthctl::server::pg::Pool;
using oauthctl::server::pg::PoolOptions;
using oauthctl::server::pg::Rows;
using oauthctl::util::ErrorKind;

namespace {

template<typename T>
T ok(oauthctl::util::Result<T> result) {
  REQUIRE_MESSAGE(result.has_value(), (result ? std::string() : result.error().message));
  return std::move(*result);
}

void ok(const oauthctl::util::Result<void>& result) {
  REQUIRE_MESSAGE(result.has_value(), (result ? std::string() : result.error().message));
}

// Two steps; the second sleeps inside the lock so that racing migrators really overlap.
constexpr std::array<Migration, 2> k_steps = {{
  {1, "first", "CREATE TABLE things (id integer PRIMARY KEY, name text NOT NULL)"},
  {2, "second", "SELECT pg_sleep(0.2); ALTER TABLE things ADD COLUMN size integer NOT NULL DEFAULT 0"},
}};
constexpr std::int64_t k_lock = 42;

} // namespace

TEST_SUITE("server.pg.postgres") {
  TEST_CASE("pg connection: parameters travel apart from the SQL, NULL included") {
    const auto base = oauthctl::test::pg_cluster_url();
    if (!base) {
      return;
    }
    const auto url = oauthctl::test::pg_fresh_database(*base, "pg_params");
    auto db = ok(Connection::open(url));
    // A value that would break string-built SQL is just a value.
    const std::string hostile = "x'); DROP TABLE pg_class; --";
    auto rows = ok(db->exec("SELECT $1::text, $2::bigint, $3::boolean, $4::text IS NULL",
                            {hostile, std::int64_t{-9007199254740993}, true, std::nullopt}));
    REQUIRE(rows.size() == 1);
    CHECK(rows.text(0, 0) == hostile);
    CHECK(rows.int64(0, 1) == -9007199254740993);
    CHECK(rows.boolean(0, 2));
    CHECK(rows.boolean(0, 3));
    // The same SQL text again uses the statement prepared the first time.
    CHECK(ok(db->exec("SELECT $1::text, $2::bigint, $3::boolean, $4::text IS NULL", {"a", 1, false, "b"}))
            .text(0, 0) == "a");
    // A statement the database refuses is an error value with its message, and the
    // connection stays usable.
    const auto refused = db->exec("SELECT * FROM no_such_table");
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().message.find("no_such_table") != std::string::npos);
    CHECK(ok(db->exec("SELECT 1")).int64(0, 0) == 1);
  }

  TEST_CASE("pg migrations: replicas migrating at once apply each step once and agree") {
    const auto base = oauthctl::test::pg_cluster_url();
    if (!base) {
      return;
    }
    const auto url = oauthctl::test::pg_fresh_database(*base, "pg_migrate_race");
    constexpr int k_replicas = 5;
    std::vector<std::unique_ptr<Connection>> connections;
    for (int i = 0; i < k_replicas; ++i) {
      connections.push_back(ok(Connection::open(url)));
    }
    std::atomic<bool> go{false};
    std::atomic<int> at_latest{0};
    std::vector<std::string> errors(k_replicas);
    std::vector<std::thread> threads;
    for (int i = 0; i < k_replicas; ++i) {
      threads.emplace_back([&, i] {
        while (!go) {
          std::this_thread::yield();
        }
        auto version =
          oauthctl::server::pg::migrate(*connections[static_cast<std::size_t>(i)], k_steps, k_lock);
        if (version && *version == 2) {
          ++at_latest;
        } else if (!version) {
          errors[static_cast<std::size_t>(i)] = version.error().message;
        }
      });
    }
    go = true;
    for (auto& thread : threads) {
      thread.join();
    }
    for (const auto& error : errors) {
      CHECK_MESSAGE(error.empty(), error);
    }
    CHECK(at_latest == k_replicas);
    auto rows =
      ok(connections[0]->exec("SELECT version, count(*) FROM schema_version GROUP BY version ORDER BY 1"));
    REQUIRE(rows.size() == 2);
    CHECK(rows.int64(0, 1) == 1);
    CHECK(rows.int64(1, 1) == 1);
    // The schema is the last step's.
    ok(connections[0]->exec("INSERT INTO things (id, name, size) VALUES ($1, $2, $3)", {1, "one", 3}));
    // Idempotent: running again changes nothing.
    CHECK(ok(oauthctl::server::pg::migrate(*connections[1], k_steps, k_lock)) == 2);
    CHECK(ok(connections[0]->exec("SELECT count(*) FROM schema_version")).int64(0, 0) == 2);
  }

  TEST_CASE("pg migrations: a failing step leaves the schema as it was, and a newer schema is refused") {
    const auto base = oauthctl::test::pg_cluster_url();
    if (!base) {
      return;
    }
    const auto url = oauthctl::test::pg_fresh_database(*base, "pg_migrate_fail");
    auto db = ok(Connection::open(url));
    const std::array<Migration, 2> broken = {
      {k_steps[0], {2, "broken", "ALTER TABLE nowhere ADD COLUMN x int"}}};
    const auto failed = oauthctl::server::pg::migrate(*db, broken, k_lock);
    REQUIRE_FALSE(failed.has_value());
    CHECK(failed.error().message.find("migration 2 (broken)") != std::string::npos);
    // One transaction: step 1 was rolled back with step 2.
    CHECK(ok(db->exec("SELECT to_regclass('things') IS NULL")).boolean(0, 0));
    CHECK(ok(oauthctl::server::pg::migrate(*db, k_steps, k_lock)) == 2);
    const std::array<Migration, 1> older = {k_steps[0]};
    const auto refused = oauthctl::server::pg::migrate(*db, older, k_lock);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().kind == ErrorKind::config);
    CHECK(refused.error().message.find("newer than this oauthctl") != std::string::npos);
  }

  TEST_CASE("pg pool: a pooled connection the server closed is replaced before it is used") {
    const auto base = oauthctl::test::pg_cluster_url();
    if (!base) {
      return;
    }
    const auto url = oauthctl::test::pg_fresh_database(*base, "pg_pool");
    PoolOptions options;
    options.url = url;
    options.size = 3;
    options.connect.application_name = "pool under test";
    auto pool = ok(Pool::open(options));
    const auto select = [](Connection& db) { return db.exec("SELECT 7"); };
    CHECK(ok(pool->run(select)).int64(0, 0) == 7);
    const auto pid_before = ok(pool->run([](Connection& db) { return db.exec("SELECT pg_backend_pid()"); }));
    // What a database restart does to every open connection.
    auto admin = ok(Connection::open(url));
    ok(admin->exec("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
                   " WHERE application_name = $1",
                   {"pool under test"}));
    // pg_terminate_backend returns once the backend has left the process table; its socket
    // closes a moment later, as the process exits (a restart's pg_ctl stop waits for that).
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const auto pid_after = ok(pool->run([](Connection& db) { return db.exec("SELECT pg_backend_pid()"); }));
    CHECK(pid_after.int64(0, 0) != pid_before.int64(0, 0)); // a fresh connection, no error
    CHECK(pool->open_connections() == 1);
  }

  TEST_CASE("pg pool: work whose connection died before it could commit runs again, other work does not") {
    const auto base = oauthctl::test::pg_cluster_url();
    if (!base) {
      return;
    }
    const auto url = oauthctl::test::pg_fresh_database(*base, "pg_pool_retry");
    PoolOptions options;
    options.url = url;
    options.size = 2;
    auto pool = ok(Pool::open(options));
    auto admin = ok(Connection::open(url));
    ok(admin->exec_script("CREATE TABLE marks (name text NOT NULL)"));
    // Ends `db`'s server process the way a restart does, while `db` is in use: its next
    // statement is the first to learn of it.
    const auto kill = [&](Connection& db) {
      const auto pid = ok(db.exec("SELECT pg_backend_pid()")).text(0, 0);
      ok(admin->exec("SELECT pg_terminate_backend($1::integer, 5000)", {pid}));
    };
    const auto count = [&](const std::string& name) {
      return ok(admin->exec("SELECT count(*) FROM marks WHERE name = $1", {name})).int64(0, 0);
    };

    // A transaction that loses its connection before COMMIT rolled back as a whole: run
    // again, it adds its rows once.
    int runs = 0;
    const auto in_transaction = pool->run([&](Connection& db) {
      ++runs;
      return db.transaction<Rows>([&](Connection& tx) -> oauthctl::util::Result<Rows> {
        ok(tx.exec("INSERT INTO marks VALUES ('tx-first')"));
        if (runs == 1) {
          kill(tx);
        }
        return tx.exec("INSERT INTO marks VALUES ('tx-second')");
      });
    });
    CHECK(in_transaction.has_value());
    CHECK(runs == 2);
    CHECK(count("tx-first") == 1);
    CHECK(count("tx-second") == 1);

    // A statement that committed on its own before the connection died: running the work
    // again would write twice, so the caller gets the error.
    runs = 0;
    const auto after_commit = pool->run([&](Connection& db) {
      ++runs;
      ok(db.exec("INSERT INTO marks VALUES ('autocommit')"));
      kill(db);
      return db.exec("SELECT 1");
    });
    REQUIRE_FALSE(after_commit.has_value());
    CHECK(after_commit.error().kind == ErrorKind::network);
    CHECK(runs == 1);
    CHECK(count("autocommit") == 1);

    // A read may run twice: declared idempotent, it is retried after it was sent.
    runs = 0;
    const auto read = pool->run(
      [&](Connection& db) {
        if (++runs == 1) {
          kill(db);
        }
        return db.exec("SELECT count(*) FROM marks");
      },
      Pool::Retry::idempotent);
    REQUIRE(read.has_value());
    CHECK(read->int64(0, 0) == 3);
    CHECK(runs == 2);

    // Errors the database answered are not retried: the connection is fine.
    runs = 0;
    const auto refused = pool->run(
      [&](Connection& db) {
        ++runs;
        return db.exec("SELECT * FROM no_such_table");
      },
      Pool::Retry::idempotent);
    CHECK_FALSE(refused.has_value());
    CHECK(runs == 1);
  }

  TEST_CASE("pg pool: after the database restarts, the first statement on every pooled connection succeeds") {
    if (!oauthctl::test::pg_cluster_url()) {
      return; // skips (exit 125) when this machine has no PostgreSQL server
    }
    oauthctl::test::OwnPgCluster cluster("oauthctl-pg-restart");
    PoolOptions options;
    options.url = cluster.url();
    options.size = 4;
    options.wait = std::chrono::milliseconds(10'000);
    auto pool = ok(Pool::open(options));
    ok(pool->run([](Connection& db) { return db.exec_script("CREATE TABLE marks (n integer NOT NULL)"); }));
    const auto all_at_once = [&](const std::function<bool(int)>& work) {
      std::atomic<int> succeeded{0};
      std::vector<std::thread> threads;
      for (int i = 0; i < 4; ++i) {
        threads.emplace_back([&, i] { succeeded += work(i) ? 1 : 0; });
      }
      for (auto& thread : threads) {
        thread.join();
      }
      return succeeded.load();
    };
    // Four connections open and pooled.
    CHECK(all_at_once([&](int) {
            return pool->run([](Connection& db) { return db.exec("SELECT pg_sleep(0.3)"); }).has_value();
          }) == 4);
    REQUIRE(pool->open_connections() == 4);

    // A restart (pg_ctl stop -m fast, then start) while the four sit in the pool.
    cluster.stop_server();
    cluster.start_server();

    // Every kind of work succeeds at its first call: a write on its own, a transaction, a read.
    CHECK(
      all_at_once([&](int i) {
        const auto n = std::to_string(i);
        if (i % 3 == 0) {
          return pool
            ->run([&](Connection& db) { return db.exec("INSERT INTO marks VALUES ($1::integer)", {n}); })
            .has_value();
        }
        if (i % 3 == 1) {
          return pool
            ->run([&](Connection& db) {
              return db.transaction<Rows>(
                [&](Connection& tx) { return tx.exec("INSERT INTO marks VALUES ($1::integer)", {n}); });
            })
            .has_value();
        }
        return pool->run([](Connection& db) { return db.exec("SELECT count(*) FROM marks"); }).has_value();
      }) == 4);
    const auto written = ok(pool->run([](Connection& db) { return db.exec("SELECT count(*) FROM marks"); }));
    CHECK(written.int64(0, 0) == 3); // i = 0, 1, 3: each once
    CHECK(pool->open_connections() <= 4);

    // While the database is down: an error at once, not a hang; then back by itself.
    cluster.stop_server();
    const auto down = pool->run([](Connection& db) { return db.exec("SELECT 1"); });
    REQUIRE_FALSE(down.has_value());
    CHECK(down.error().kind == ErrorKind::network);
    cluster.start_server();
    std::this_thread::sleep_for(options.max_backoff); // the reconnect backoff after that error
    CHECK(ok(pool->run([](Connection& db) { return db.exec("SELECT count(*) FROM marks"); })).int64(0, 0) ==
          3);
  }

  TEST_CASE("pg pool: no more connections than its size, and a caller waits for one to come back") {
    const auto base = oauthctl::test::pg_cluster_url();
    if (!base) {
      return;
    }
    const auto url = oauthctl::test::pg_fresh_database(*base, "pg_pool_size");
    PoolOptions options;
    options.url = url;
    options.size = 2;
    options.wait = std::chrono::milliseconds(5000);
    auto pool = ok(Pool::open(options));
    std::atomic<int> done{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 6; ++i) {
      threads.emplace_back([&] {
        if (pool->run([](Connection& db) { return db.exec("SELECT pg_sleep(0.1)"); })) {
          ++done;
        }
      });
    }
    for (auto& thread : threads) {
      thread.join();
    }
    CHECK(done == 6);
    CHECK(pool->open_connections() == 2);
  }

  TEST_CASE("pg listener: a NOTIFY wakes it at once, and it comes back after its connection is killed") {
    const auto base = oauthctl::test::pg_cluster_url();
    if (!base) {
      return;
    }
    const auto url = oauthctl::test::pg_fresh_database(*base, "pg_listen");
    std::atomic<int> wakes{0};
    Listener::Options options;
    options.url = url;
    options.channel = "test_channel";
    options.poll = std::chrono::milliseconds(60'000); // only notifications and reconnects wake it
    options.connect.application_name = "listener under test";
    auto listener = Listener::start(options, [&] { ++wakes; });
    REQUIRE(listener != nullptr);
    const auto wait_for = [&](int count) {
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      while (wakes < count && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      return wakes >= count;
    };
    REQUIRE(wait_for(1)); // the catch-up wake after connecting
    auto db = ok(Connection::open(url));
    const auto sent = std::chrono::steady_clock::now();
    ok(db->exec("SELECT pg_notify($1, $2)", {"test_channel", "1"}));
    REQUIRE(wait_for(2));
    CHECK(std::chrono::steady_clock::now() - sent < std::chrono::milliseconds(500));
    // Kill its connection: it reconnects (with a catch-up wake) and hears the next NOTIFY.
    ok(db->exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
                {"listener under test"}));
    REQUIRE(wait_for(3));
    const auto before = wakes.load();
    ok(db->exec("SELECT pg_notify($1, $2)", {"test_channel", "2"}));
    CHECK(wait_for(before + 1));
    // An identifier that is not ours is refused rather than spliced into LISTEN.
    Listener::Options bad = options;
    bad.channel = "x; DROP TABLE y";
    CHECK(Listener::start(bad, [] {}) == nullptr);
  }
}

// Without a server: what a user gets for a wrong --store.
TEST_SUITE("server.pg") {
  TEST_CASE("pg connection: an unreachable database is a network error, quickly") {
    // Port 1: nothing listens there; refused at once, well within the connect timeout.
    const auto started = std::chrono::steady_clock::now();
    const auto db = Connection::open("postgres://nobody@127.0.0.1:1/none");
    REQUIRE_FALSE(db.has_value());
    CHECK(db.error().kind == ErrorKind::network);
    CHECK(db.error().message.find("database unavailable") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(4));
    PoolOptions options;
    options.url = "postgres://nobody@127.0.0.1:1/none";
    CHECK(Pool::open(options).error().kind == ErrorKind::network);
  }

  TEST_CASE("pg connection: a malformed URL is a configuration error") {
    const auto db = Connection::open("postgres://[::1");
    REQUIRE_FALSE(db.has_value());
    CHECK(db.error().kind == ErrorKind::config);
    CHECK(db.error().message.find("not a PostgreSQL URL") != std::string::npos);
  }

  TEST_CASE("pg pool: size 0 is a usage error") {
    PoolOptions options;
    options.url = "postgres://nobody@127.0.0.1:1/none";
    options.size = 0;
    CHECK(Pool::open(options).error().kind == ErrorKind::usage);
  }
}
