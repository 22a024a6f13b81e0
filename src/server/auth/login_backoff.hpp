// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace oauthctl::server {

// How failed password checks for one username slow further attempts down.
struct BackoffPolicy {
  int free_failures = 3;          // failures in a row that cost nothing
  std::int64_t first_wait = 1;    // seconds refused after the first failure beyond them
  std::int64_t max_doublings = 5; // the wait doubles per further failure, this many times at most
  std::int64_t window = 900;      // failures older than this (seconds since the last) are forgotten
};

// Per-username slow-down of password guessing, shared by the login form and the password
// grant. A slow-down rather than a lockout: a lockout would let anyone lock a user out by
// guessing wrong on purpose (RFC 6749 §10.10 asks for guessing to be hard, not for
// denial of service). While a wait runs, attempts are refused without checking the
// password, so they neither count nor reveal anything. Thread-safe; time is passed in.
class LoginBackoff {
public:
  explicit LoginBackoff(BackoffPolicy policy = {}) : m_policy(policy) {}

  // Replaces the policy (before serving).
  void set_policy(BackoffPolicy policy);

  // Seconds an attempt for `username` must still wait at `now`; 0 when it may go ahead.
  [[nodiscard]] std::int64_t wait(const std::string& username, std::int64_t now) const;

  // Records a failed (true) or successful (false) password check for `username` at `now`;
  // a success forgets the failures.
  void record(const std::string& username, bool failed, std::int64_t now);

private:
  struct Failures {
    int count = 0;
    std::int64_t last = 0;
  };
  [[nodiscard]] std::int64_t wait_locked(const Failures& failures, std::int64_t now) const;

  mutable std::mutex m_mutex;
  BackoffPolicy m_policy;
  std::unordered_map<std::string, Failures> m_failures;
};

} // namespace oauthctl::server
