// SPDX-License-Identifier: MIT
// The staleness bound shared by the revocation view and the client and user directory
// (server/state/freshness_bound.hpp): a fresh view answers without the store, a stale one
// is refreshed once by the requests that find it so (never on an event loop), a failed
// refresh fails closed, and during an outage requests get their 503 at once instead of
// queueing on workers for the store.
#include "server/event_loop_guard.hpp"
#include "server/state/freshness_bound.hpp"
#include "server/state/state_unavailable.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>
#include <vector>

using namespace oauthctl;
using namespace oauthctl::server;
using state::FreshnessBound;
using std::chrono::milliseconds;

namespace {

// A refresh that counts its calls, takes `takes`, and fails while `down`.
struct CountedRefresh {
  std::atomic<int> calls{0};
  std::atomic<bool> down{false};
  milliseconds takes{0};

  util::Result<void> operator()() {
    ++calls;
    std::this_thread::sleep_for(takes);
    if (down) {
      return util::fail(util::ErrorKind::network, "database unavailable");
    }
    return {};
  }
  FreshnessBound::Refresh fn() {
    return [this] { return (*this)(); };
  }
};

// What require() did on a thread marked as an event loop (routes.cpp marks its own so).
enum class Outcome { fresh, would_block, unavailable };

Outcome require_on(bool on_loop, FreshnessBound& freshness, const FreshnessBound::Refresh& refresh) {
  Outcome outcome = Outcome::fresh;
  std::thread thread([&] {
    std::optional<EventLoopThread> loop;
    if (on_loop) {
      loop.emplace();
    }
    try {
      freshness.require(refresh);
    } catch (const WouldBlock&) {
      outcome = Outcome::would_block;
    } catch (const state::StateUnavailable&) {
      outcome = Outcome::unavailable;
    }
  });
  thread.join();
  return outcome;
}

FreshnessBound::Timing timing(milliseconds bound) {
  return {.bound = bound, .retry = milliseconds(300), .patience = milliseconds(200)};
}

} // namespace

TEST_SUITE("server.freshness_bound") {
  TEST_CASE("a fresh view answers without the store, a stale one is refreshed once and is fresh again") {
    FreshnessBound freshness("test view", timing(milliseconds(200)));
    CountedRefresh refresh;
    REQUIRE(freshness.refresh(refresh.fn()).has_value());
    CHECK(refresh.calls == 1);
    CHECK_FALSE(freshness.is_stale());
    CHECK(require_on(true, freshness, refresh.fn()) == Outcome::fresh); // even on a loop: no wait
    CHECK(refresh.calls == 1);

    std::this_thread::sleep_for(milliseconds(250));
    CHECK(freshness.is_stale());
    // On an event loop the refresh is not made: the request goes to a worker.
    CHECK(require_on(true, freshness, refresh.fn()) == Outcome::would_block);
    CHECK(refresh.calls == 1);
    // On a worker it is, and the view is fresh for everyone after it.
    CHECK(require_on(false, freshness, refresh.fn()) == Outcome::fresh);
    CHECK(refresh.calls == 2);
    CHECK_FALSE(freshness.is_stale());
    CHECK(require_on(true, freshness, refresh.fn()) == Outcome::fresh);
  }

  TEST_CASE("requests that find the view stale together wait for one refresh, not one each") {
    FreshnessBound freshness("test view", timing(milliseconds(100)));
    CountedRefresh refresh;
    refresh.takes = milliseconds(50);
    std::this_thread::sleep_for(milliseconds(150)); // never refreshed: stale
    std::atomic<int> answered{0};
    std::vector<std::thread> readers;
    for (int i = 0; i < 8; ++i) {
      readers.emplace_back([&] {
        freshness.require(refresh.fn());
        ++answered;
      });
    }
    for (auto& reader : readers) {
      reader.join();
    }
    CHECK(answered == 8);
    CHECK(refresh.calls == 1);
  }

  TEST_CASE(
    "a failed refresh fails closed, and for the retry time later requests fail at once, even on a loop") {
    FreshnessBound freshness("test view", timing(milliseconds(100)));
    CountedRefresh refresh;
    REQUIRE(freshness.refresh(refresh.fn()).has_value());
    refresh.down = true;
    std::this_thread::sleep_for(milliseconds(150));
    CHECK(require_on(false, freshness, refresh.fn()) == Outcome::unavailable);
    CHECK(refresh.calls == 2);
    // The store just failed: no hand-off to a worker, no second attempt.
    CHECK(require_on(true, freshness, refresh.fn()) == Outcome::unavailable);
    CHECK(require_on(false, freshness, refresh.fn()) == Outcome::unavailable);
    CHECK(refresh.calls == 2);
    // A failed poll counts too (the maintenance thread's refresh()).
    std::this_thread::sleep_for(milliseconds(350));
    CHECK_FALSE(freshness.refresh(refresh.fn()).has_value());
    CHECK(require_on(true, freshness, refresh.fn()) == Outcome::unavailable);
    CHECK(refresh.calls == 3);

    // The store is back: after the retry time one request refreshes, and the view serves.
    refresh.down = false;
    std::this_thread::sleep_for(milliseconds(350));
    CHECK(require_on(false, freshness, refresh.fn()) == Outcome::fresh);
    CHECK(refresh.calls == 4);
    CHECK(require_on(true, freshness, refresh.fn()) == Outcome::fresh);
  }

  TEST_CASE("a refresh that hangs holds no request longer than the patience, and later ones fail at once") {
    // Margins wide enough for a loaded machine: a 2 s refresh, 500 ms of patience.
    FreshnessBound freshness(
      "test view", {.bound = milliseconds(100), .retry = milliseconds(300), .patience = milliseconds(500)});
    CountedRefresh refresh;
    refresh.takes = milliseconds(2000);
    std::this_thread::sleep_for(milliseconds(150));
    std::thread hanging([&] { (void)freshness.refresh(refresh.fn()); });
    std::this_thread::sleep_for(milliseconds(50));
    // Waits for the refresh under way, gives up after the patience.
    const auto started = std::chrono::steady_clock::now();
    CHECK(require_on(false, freshness, refresh.fn()) == Outcome::unavailable);
    const auto waited = std::chrono::steady_clock::now() - started;
    CHECK(waited >= milliseconds(400));
    CHECK(waited < milliseconds(1500));
    // The refresh has now run for longer than the patience: 503 at once, on the loop too.
    const auto again = std::chrono::steady_clock::now();
    CHECK(require_on(true, freshness, refresh.fn()) == Outcome::unavailable);
    CHECK(require_on(false, freshness, refresh.fn()) == Outcome::unavailable);
    CHECK(std::chrono::steady_clock::now() - again < milliseconds(400));
    hanging.join();
    CHECK(refresh.calls == 1); // nobody started a second one meanwhile
  }

  TEST_CASE("bound 0 never goes stale, and a confirmation never moves the freshness backwards") {
    FreshnessBound unbounded("test view", timing(milliseconds(0)));
    CountedRefresh refresh;
    std::this_thread::sleep_for(milliseconds(20));
    CHECK_FALSE(unbounded.is_stale());
    CHECK(require_on(true, unbounded, refresh.fn()) == Outcome::fresh);
    CHECK(refresh.calls == 0);

    FreshnessBound freshness("test view", timing(milliseconds(100)));
    freshness.confirm(std::chrono::steady_clock::now());
    CHECK_FALSE(freshness.is_stale());
    freshness.confirm(std::chrono::steady_clock::now() -
                      std::chrono::seconds(10)); // an older refresh finishing late
    CHECK_FALSE(freshness.is_stale());
    freshness.set_bound(milliseconds(0));
    std::this_thread::sleep_for(milliseconds(150));
    CHECK_FALSE(freshness.is_stale());
    freshness.set_bound(milliseconds(100));
    CHECK(freshness.is_stale());
    CHECK(freshness.bound() == milliseconds(100));
  }
}
