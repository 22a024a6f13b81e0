// SPDX-License-Identifier: MIT
#include "server/auth/auth_state.hpp"
#include "server/auth/login_backoff.hpp"
#include "state_test_store.hpp"

#include <doctest/doctest.h>

using namespace oauthctl::server;

TEST_SUITE("server.login_backoff") {
  constexpr std::int64_t t0 = 1'700'000'000;

  TEST_CASE("free failures cost nothing, then the wait doubles up to its cap") {
    const auto store = oauthctl::test::memory_state_store();
    LoginBackoff backoff(*store, BackoffPolicy{3, 2, 3, 900});
    for (int i = 0; i < 2; ++i) {
      backoff.record("alice", true, t0);
      CHECK(backoff.wait("alice", t0) == 0);
    }
    backoff.record("alice", true, t0); // third failure: 2 s
    CHECK(backoff.wait("alice", t0) == 2);
    CHECK(backoff.wait("alice", t0 + 1) == 1);
    CHECK(backoff.wait("alice", t0 + 2) == 0);
    backoff.record("alice", true, t0 + 2); // fourth: 4 s
    CHECK(backoff.wait("alice", t0 + 2) == 4);
    backoff.record("alice", true, t0 + 6); // fifth: 8 s
    CHECK(backoff.wait("alice", t0 + 6) == 8);
    backoff.record("alice", true, t0 + 14); // sixth: 16 s, the cap (three doublings)
    CHECK(backoff.wait("alice", t0 + 14) == 16);
    backoff.record("alice", true, t0 + 30);
    CHECK(backoff.wait("alice", t0 + 30) == 16);
  }

  TEST_CASE("usernames are counted apart, and a success resets") {
    const auto store = oauthctl::test::memory_state_store();
    LoginBackoff backoff(*store, BackoffPolicy{1, 5, 5, 900});
    backoff.record("alice", true, t0);
    CHECK(backoff.wait("alice", t0) == 5);
    CHECK(backoff.wait("bob", t0) == 0);
    CHECK(backoff.wait("Alice", t0) == 0); // exact names
    backoff.record("alice", false, t0 + 5);
    CHECK(backoff.wait("alice", t0 + 5) == 0);
    backoff.record("alice", true, t0 + 6);
    CHECK(backoff.wait("alice", t0 + 6) == 5); // counted from zero again: the first wait
  }

  TEST_CASE("failures older than the window are forgotten") {
    const auto store = oauthctl::test::memory_state_store();
    LoginBackoff backoff(*store, BackoffPolicy{2, 1, 5, 60});
    backoff.record("alice", true, t0);
    backoff.record("alice", true, t0 + 1);
    CHECK(backoff.wait("alice", t0 + 1) == 1);
    // A minute later the streak is over: one more failure is a first failure.
    backoff.record("alice", true, t0 + 62);
    CHECK(backoff.wait("alice", t0 + 62) == 0);
  }

  TEST_CASE("the default policy: three free failures, then 1 s doubling to 32 s") {
    const auto store = oauthctl::test::memory_state_store();
    LoginBackoff backoff(*store);
    std::int64_t now = t0;
    for (int i = 0; i < 3; ++i) {
      backoff.record("u", true, now);
    }
    std::int64_t expected = 1;
    for (int i = 0; i < 8; ++i) {
      CHECK(backoff.wait("u", now) == expected);
      now += expected;
      backoff.record("u", true, now);
      expected = std::min<std::int64_t>(expected * 2, 32);
    }
    // A policy set later applies to the counts already kept.
    backoff.set_policy(BackoffPolicy{100, 1, 5, 900});
    CHECK(backoff.wait("u", now) == 0);
  }

  TEST_CASE("the counters are the store's: a second instance (another process) sees them") {
    const auto store = oauthctl::test::memory_state_store();
    LoginBackoff first(*store, BackoffPolicy{1, 5, 5, 900});
    LoginBackoff second(*store, BackoffPolicy{1, 5, 5, 900});
    first.record("alice", true, t0);
    CHECK(second.wait("alice", t0) == 5);
    // Another scope on the same store keeps its own counters.
    LoginBackoff device_entries(*store, BackoffPolicy{1, 5, 5, 900}, "device-entry:");
    CHECK(device_entries.wait("alice", t0) == 0);
    second.record("alice", false, t0 + 5);
    CHECK(first.wait("alice", t0 + 5) == 0);
  }

  TEST_CASE("failures are keyed by username and address: an attacker elsewhere slows only itself") {
    const auto store = oauthctl::test::memory_state_store();
    AuthState auth(*store);
    auth.set_login_backoff(BackoffPolicy{3, 1, 5, 900});
    std::int64_t now = t0;
    // The attacker at 192.0.2.66 guesses alice's password until it waits the cap (32 s).
    for (int i = 0; i < 8; ++i) {
      now += auth.login_wait("alice", "192.0.2.66", now);
      auth.record_login("alice", "192.0.2.66", true, now);
    }
    CHECK(auth.login_wait("alice", "192.0.2.66", now) == 32);
    // Alice at her own address is not held back.
    CHECK(auth.login_wait("alice", "198.51.100.7", now) == 0);
    CHECK(auth.login_wait("alice", "2001:db8::7", now) == 0);
    auth.record_login("alice", "198.51.100.7", false, now);
    CHECK(auth.login_wait("alice", "198.51.100.7", now) == 0);
  }

  TEST_CASE("the softer per-username limit: ten times the free failures, at most four times the wait") {
    CHECK(per_username_policy(BackoffPolicy{3, 1, 5, 900}).free_failures == 30);
    CHECK(per_username_policy(BackoffPolicy{3, 1, 5, 900}).max_doublings == 2);
    const auto store = oauthctl::test::memory_state_store();
    AuthState auth(*store);
    auth.set_login_backoff(BackoffPolicy{3, 1, 5, 900});
    // Guessing spread over ten addresses, three free failures each: thirty for alice.
    for (int a = 0; a < 10; ++a) {
      const auto address = "203.0.113." + std::to_string(a);
      for (int i = 0; i < 3; ++i) {
        CHECK(auth.login_wait("alice", address, t0) == 0);
        auth.record_login("alice", address, true, t0);
      }
    }
    // Now every address waits for alice, a new one too, but only seconds.
    CHECK(auth.login_wait("alice", "203.0.113.200", t0) == 1);
    CHECK(auth.login_wait("alice", "198.51.100.7", t0) == 1);
    CHECK(auth.login_wait("bob", "203.0.113.200", t0) == 0);
    std::int64_t now = t0;
    for (int i = 0; i < 6; ++i) {
      now += auth.login_wait("alice", "203.0.113.100", now);
      auth.record_login("alice", "203.0.113.100", true, now);
    }
    // The address that keeps guessing is at the full policy; alice elsewhere waits 4 s at most.
    CHECK(auth.login_wait("alice", "203.0.113.100", now) == 8);
    CHECK(auth.login_wait("alice", "198.51.100.7", now) == 4);
    // Her success forgets the counts.
    auth.record_login("alice", "198.51.100.7", false, now + 4);
    CHECK(auth.login_wait("alice", "203.0.113.200", now + 4) == 0);
  }
}
