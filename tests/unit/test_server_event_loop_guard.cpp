// SPDX-License-Identifier: MIT
// What may run on the transport's event-loop threads (event_loop_guard.hpp): the token
// endpoint starts there; whatever would wait (scrypt, the store, a fetch) throws WouldBlock
// before it waits or changes anything, and the request then runs again on a worker.
#include "server/auth/credential_cache.hpp"
#include "server/auth/hash_gate.hpp"
#include "server/directory.hpp"
#include "server/event_loop_guard.hpp"
#include "server_test_support.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <thread>

using namespace oauthctl;
using namespace oauthctl::server;
using oauthctl::test::TestServer;

namespace {

const std::string k_good = "grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret";

// Runs `work` on a thread marked as an event loop, as routes.cpp marks its loop threads;
// true when it threw WouldBlock.
template<class Work>
bool would_block_on_loop(Work&& work) {
  bool blocked = false;
  std::thread loop([&] {
    const EventLoopThread on_loop;
    try {
      work();
    } catch (const WouldBlock&) {
      blocked = true;
    }
  });
  loop.join();
  return blocked;
}

} // namespace

TEST_SUITE("server.event_loop_guard") {
  TEST_CASE("only a marked thread is an event loop, and only while the mark lives") {
    CHECK_FALSE(on_event_loop());
    {
      const EventLoopThread on_loop;
      CHECK(on_event_loop());
      CHECK_THROWS_AS(require_worker(), WouldBlock);
    }
    CHECK_FALSE(on_event_loop());
    CHECK_NOTHROW(require_worker());
  }

  TEST_CASE("scrypt, the hash gate and the SQLite store refuse an event loop before they wait") {
    const TestServer server;
    const HashGate gate(1, 1);
    CHECK(would_block_on_loop([&] { (void)gate.run([] { return 1; }); }));
    CHECK(would_block_on_loop([&] {
      (void)server.context->directory.current()->clients.authenticate("demo-client", "demo-secret");
    }));
    CHECK(would_block_on_loop([&] { (void)server.context->store->keys(); }));
    // Off the loop the same calls work.
    CHECK(gate.run([] { return 1; }) == std::optional<int>(1));
    CHECK(server.context->store->keys().has_value());
  }

  TEST_CASE("a client directory past its bound is refreshed on a worker, not on the loop") {
    LiveDirectory directory(make_directory({}, {}, std::make_shared<CredentialCache>()));
    int refreshes = 0;
    directory.follow(
      [&]() -> util::Result<void> {
        ++refreshes;
        directory.confirm(std::chrono::steady_clock::now());
        return {};
      },
      std::chrono::milliseconds(1));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    CHECK(would_block_on_loop([&] { (void)directory.current(); }));
    CHECK(refreshes == 0);
    CHECK(directory.current() != nullptr);
    CHECK(refreshes == 1);
  }

  TEST_CASE("client_credentials with a cached secret is answered on the loop, the rest go to a worker") {
    const TestServer server;
    // Not verified yet: the slow hash is due, so the loop hands the request over...
    CHECK(would_block_on_loop([&] { (void)server.post_form(k_good); }));
    // ...and a worker answers it, which caches the secret.
    REQUIRE(server.post_form(k_good).status == 200);
    ServerResponse on_loop;
    CHECK_FALSE(would_block_on_loop([&] { on_loop = server.post_form(k_good); }));
    CHECK(on_loop.status == 200);
    CHECK(oauthctl::test::body_json(on_loop).contains("access_token"));
    // A wrong secret needs scrypt (through the gate): a worker's job, every time.
    CHECK(would_block_on_loop([&] {
      (void)server.post_form("grant_type=client_credentials&client_id=demo-client&client_secret=wrong");
    }));
    // Grants that use the store leave the loop before they authenticate the client.
    CHECK(would_block_on_loop([&] {
      (void)server.post_form(
        "grant_type=password&client_id=demo-client&client_secret=demo-secret&username=demo&password=x");
    }));
    CHECK(would_block_on_loop([&] {
      (void)server.post_form("grant_type=refresh_token&client_id=demo-client&client_secret=demo-secret"
                             "&refresh_token=x");
    }));
    // A request refused before any wait is answered on the loop.
    ServerResponse refused;
    CHECK_FALSE(would_block_on_loop([&] { refused = server.post_form("grant_type=nonsense"); }));
    CHECK(refused.status == 400);
  }

  TEST_CASE("the routes that start on the event loop") {
    CHECK(starts_on_event_loop("/auth/token"));
    CHECK(starts_on_event_loop("/fhir/Patient/1"));
    CHECK(starts_on_event_loop("/.well-known/openid-configuration"));
    CHECK_FALSE(starts_on_event_loop("/auth/authorize"));
    CHECK_FALSE(starts_on_event_loop("/auth/login"));
    CHECK_FALSE(starts_on_event_loop("/auth/introspect"));
    CHECK_FALSE(starts_on_event_loop("/auth/device"));
  }
}
