// SPDX-License-Identifier: MIT
#pragma once

#include "server/state/state_store.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

namespace oauthctl::server::state {

// The revoked access token ids, held in process so that the FHIR server's check on every
// request stays off the database. Kept current by polling StateStore::revocations_since
// (the maintenance thread refreshes it every 250 ms; a revocation made by this process is
// in it at once). Staleness bound: an answer is only given from a view refreshed less than
// `bound` ago (default 1 s); an older view is refreshed on the spot (unless readers may not
// query, see set_readers_refresh), and when that fails the check throws StateUnavailable (fail closed: a
// token revoked elsewhere is never accepted because the database could not be asked). Thread-safe.
class RevocationView {
public:
  explicit RevocationView(StateStore& store, std::chrono::milliseconds bound = std::chrono::seconds(1));

  // True when access token `jti` is revoked. Throws StateUnavailable as above.
  [[nodiscard]] bool is_revoked(const std::string& jti);

  // Reads the revocations added since the last refresh; `network` error when the store
  // cannot be read (the view keeps its age then).
  [[nodiscard]] util::Result<void> refresh();

  // Makes revocation `jti` (valid until `expires_at`) visible at once in this process.
  void add(const std::string& jti, std::int64_t expires_at);

  // false: is_revoked never refreshes a stale view itself (it throws StateUnavailable at
  // once), so a reader never waits on the store; someone else must call refresh() more
  // often than the bound (serve's maintenance thread, every 250 ms). Default true.
  void set_readers_refresh(bool readers_refresh) { m_readers_refresh.store(readers_refresh); }

  [[nodiscard]] std::chrono::milliseconds bound() const { return m_bound; }

private:
  using Clock = std::chrono::steady_clock;

  [[nodiscard]] bool is_stale() const;
  [[nodiscard]] util::Result<void> refresh_locked(); // m_refresh_mutex held

  StateStore& m_store;
  std::chrono::milliseconds m_bound;
  std::mutex m_refresh_mutex; // one refresh at a time
  std::int64_t m_version = 0; // under m_refresh_mutex
  std::uint64_t m_refreshes = 0;
  std::atomic<Clock::rep> m_fresh_at{0}; // steady time of the last successful refresh
  mutable std::shared_mutex m_mutex;
  std::unordered_map<std::string, std::int64_t> m_revoked; // jti -> exp
  std::atomic<std::size_t> m_count{0};
  std::atomic<bool> m_readers_refresh{true};
};

} // namespace oauthctl::server::state
