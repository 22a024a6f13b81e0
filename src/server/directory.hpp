// SPDX-License-Identifier: MIT
#pragma once

#include "server/auth/user_directory.hpp"
#include "server/client_registry.hpp"
#include "server/state/freshness_bound.hpp"
#include "server/state/state_store.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace oauthctl::server {

// The clients and users as the store had them at one directory_version. Immutable: a
// change (on any replica) makes a new one. A request takes one (LiveDirectory::current)
// and keeps it for its whole duration, so the pointers its find() calls hand out stay
// valid however many snapshots replace it meanwhile.
struct Directory {
  ClientRegistry clients;
  UserDirectory users;
};

// A snapshot of `clients` and `users` sharing `cache` (one per process).
[[nodiscard]] std::shared_ptr<const Directory> make_directory(std::vector<RegisteredClient> clients,
                                                              std::vector<RegisteredUser> users,
                                                              std::shared_ptr<CredentialCache> cache);

// The server's current directory snapshot, replaced as a whole when the store's clients or
// users change (DirectoryRefresher). Taking it is one atomic shared_ptr load and a clock
// read: no lock, no store call per request.
//
// Staleness bound (state::FreshnessBound, the revocation view's too): once followed, a
// snapshot is only handed out while it was confirmed current less than `bound` ago
// (default 1 s). An older one is refreshed on the spot (on a worker: on an event loop
// current() throws WouldBlock; one request refreshes, the others arriving meanwhile wait
// for it); when that fails, current() throws state::StateUnavailable and the request gets
// 503 temporarily_unavailable (fail closed: a client or user dropped on another replica
// never keeps working because this one could not ask the store). The maintenance poll
// (250 ms, DirectoryRefresher) normally keeps it fresh, so requests do not wait on the store.
// Thread-safe.
class LiveDirectory {
public:
  explicit LiveDirectory(std::shared_ptr<const Directory> initial);

  // The snapshot to use for one request. Throws WouldBlock or StateUnavailable as above.
  [[nodiscard]] std::shared_ptr<const Directory> current() const;

  // Makes `next` current.
  void replace(std::shared_ptr<const Directory> next);

  // The current snapshot was the store's at steady time `as_of` (a refresh began then).
  void confirm(std::chrono::steady_clock::time_point as_of);

  // From now on current() applies the bound, calling `refresh` (DirectoryRefresher::refresh)
  // for a stale snapshot. Call once, before requests arrive (a context never followed, as
  // in unit tests, hands out its snapshot forever).
  void follow(std::function<util::Result<void>()> refresh,
              std::chrono::milliseconds bound = std::chrono::seconds(1));

  // Shared by every snapshot of this directory: the seed's secrets, verified secrets.
  [[nodiscard]] const std::shared_ptr<CredentialCache>& cache() const { return m_cache; }

private:
  std::atomic<std::shared_ptr<const Directory>> m_current; // never null
  std::shared_ptr<CredentialCache> m_cache;
  mutable state::FreshnessBound m_freshness;     // bound 0 (none) until follow()
  std::function<util::Result<void>()> m_refresh; // set by follow() before serving
};

// Keeps a LiveDirectory in line with the store: refresh() is called by the maintenance
// thread (every 250 ms, and on a PostgreSQL notification); it asks the store for its
// directory version (one cheap query) and reads the clients and users only when that moved
// (a write on any replica, including this one). A row that does not parse (written by
// hand) is left out of the snapshot and reported to `log`, so one bad row disables that
// entry only. Thread-safe (the maintenance thread and a request finding it stale).
class DirectoryRefresher {
public:
  DirectoryRefresher(state::StateStore& store, LiveDirectory& directory,
                     std::function<void(std::string_view)> log = {})
      : m_store(store), m_directory(directory), m_log(std::move(log)) {}

  // `network`/`io` errors from the store (the current snapshot stays, and ages).
  [[nodiscard]] util::Result<void> refresh();
  // The same with the store's directory_version() already read: `version`, by a read that
  // began at `read_at` (the snapshot is confirmed as of then, never later).
  [[nodiscard]] util::Result<void> refresh(std::int64_t version,
                                           std::chrono::steady_clock::time_point read_at);

private:
  state::StateStore& m_store;
  LiveDirectory& m_directory;
  std::function<void(std::string_view)> m_log;
  std::mutex m_mutex;          // one refresh at a time
  std::int64_t m_version = -1; // under m_mutex
};

// The store's clients and users as the server holds them. A row that does not parse is an
// `io` error, or, with `skipped`, left out and described there.
[[nodiscard]] util::Result<std::vector<RegisteredClient>>
load_clients(state::StateStore& store, std::vector<std::string>* skipped = nullptr);
[[nodiscard]] util::Result<std::vector<RegisteredUser>>
load_users(state::StateStore& store, std::vector<std::string>* skipped = nullptr);

} // namespace oauthctl::server
