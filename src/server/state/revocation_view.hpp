// SPDX-License-Identifier: MIT
#pragma once

#include "server/state/freshness_bound.hpp"
#include "server/state/state_store.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <shared_mutex>
#include <string>
#include <unordered_map>

namespace oauthctl::server::state {

// The revoked access token ids, held in process so that the FHIR server's check on every
// request stays off the database. Kept current by polling StateStore::revocations_since
// (serve's maintenance thread refreshes it every 250 ms, and at once on a PostgreSQL
// notification; a revocation made by this process is in it at once). Staleness bound
// (FreshnessBound, default 1 s): an answer is only given from a view refreshed less than
// `bound` ago; an older one is refreshed on the spot by the request that finds it so (on a
// worker: on an event loop is_revoked throws WouldBlock), and when that fails the check
// throws StateUnavailable (fail closed: a token revoked elsewhere is never accepted because
// the database could not be asked). Thread-safe.
class RevocationView {
public:
  explicit RevocationView(StateStore& store, std::chrono::milliseconds bound = std::chrono::seconds(1));

  // True when access token `jti` is revoked. Throws WouldBlock or StateUnavailable as above.
  [[nodiscard]] bool is_revoked(const std::string& jti);

  // Reads the revocations added since the last refresh; `network` error when the store
  // cannot be read (the view keeps its age then).
  [[nodiscard]] util::Result<void> refresh();

  // Makes revocation `jti` (valid until `expires_at`) visible at once in this process.
  void add(const std::string& jti, std::int64_t expires_at);

  [[nodiscard]] std::chrono::milliseconds bound() const { return m_freshness.bound(); }

private:
  [[nodiscard]] util::Result<void> read_delta(); // under m_freshness's refresh

  StateStore& m_store;
  FreshnessBound m_freshness;
  std::int64_t m_version = 0; // only read_delta touches it (one refresh at a time)
  std::uint64_t m_refreshes = 0;
  mutable std::shared_mutex m_mutex;
  std::unordered_map<std::string, std::int64_t> m_revoked; // jti -> exp
  std::atomic<std::size_t> m_count{0};
};

} // namespace oauthctl::server::state
