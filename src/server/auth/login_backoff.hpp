// SPDX-License-Identifier: MIT
#pragma once

#include "server/state/state_store.hpp"

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace oauthctl::server {

// How failed password checks for one username slow further attempts down.
struct BackoffPolicy {
  int free_failures = 3;          // failures in a row that cost nothing
  std::int64_t first_wait = 1;    // seconds refused after the first failure beyond them
  std::int64_t max_doublings = 5; // the wait doubles per further failure, this many times at most
  std::int64_t window = 900;      // failures older than this (seconds since the last) are forgotten
};

// The softer limit on one username from any address, next to `policy` per username and
// client address: ten times the free failures, and at most four times the first wait. It
// holds back guessing spread over many addresses (about one guess per 4 s per username
// once it bites) while an attacker elsewhere can make the user's own sign-in wait a few
// seconds at most; the attacker's own address gets the full `policy` (RFC 6749 §10.10).
BackoffPolicy per_username_policy(const BackoffPolicy& policy);

// "192.0.2.7|alice": the key of failures for a username from one client address.
std::string address_key(std::string_view username, std::string_view address);

// Per-key slow-down of guessing (a username for passwords; the device page keys wrong
// user codes by session), shared by the login form and the password grant. A slow-down
// rather than a lockout: a lockout would let anyone lock a user out by guessing wrong on
// purpose (RFC 6749 §10.10 asks for guessing to be hard, not for denial of service). While
// a wait runs, attempts are refused without checking the password, so they neither count
// nor reveal anything. The counters live in the state store (atomic increments, shared by
// every process on it, forgotten after the window by prune); keys are prefixed with
// `scope` so that two uses never share a counter. A store failure throws
// state::StateUnavailable. Thread-safe; time is passed in.
class LoginBackoff {
public:
  explicit LoginBackoff(state::StateStore& store, BackoffPolicy policy = {}, std::string scope = "login:")
      : m_store(store), m_policy(policy), m_scope(std::move(scope)) {}

  // Replaces the policy (before serving).
  void set_policy(BackoffPolicy policy);

  // Seconds an attempt for `key` must still wait at `now`; 0 when it may go ahead.
  [[nodiscard]] std::int64_t wait(const std::string& key, std::int64_t now) const;

  // Records a failed (true) or successful (false) attempt for `key` at `now`; a success
  // forgets the failures.
  void record(const std::string& key, bool failed, std::int64_t now);

private:
  [[nodiscard]] std::int64_t wait_for(int failures, std::int64_t last, std::int64_t now) const;

  state::StateStore& m_store;
  BackoffPolicy m_policy; // set before serving, read-only afterwards
  std::string m_scope;
};

} // namespace oauthctl::server
