// SPDX-License-Identifier: MIT
#pragma once

#include "server/pg/connection.hpp"

#include <oauthctl/util/error.hpp>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

namespace oauthctl::server::pg {

struct PoolOptions {
  std::string url;
  std::size_t size = 8; // at most this many connections open at once (`serve --store-pool`)
  ConnectOptions connect;
  // How long a request waits for a connection when all are in use.
  std::chrono::milliseconds wait{3000};
  // After a failed connect, no new attempt for `first_backoff`, doubling up to `max_backoff`:
  // requests during an outage fail fast instead of each waiting for a connect timeout.
  std::chrono::milliseconds first_backoff{100};
  std::chrono::milliseconds max_backoff{2000};
};

// A bounded pool of connections to one database, shared by the request threads. It
// never fails for good: when the database goes away, calls fail `network` (the
// endpoints answer 503) and the pool reconnects with backoff on later calls.
class Pool {
public:
  // Opens the pool and one connection, so a wrong URL or an unreachable database fails
  // the start with its reason.
  [[nodiscard]] static util::Result<std::unique_ptr<Pool>> open(PoolOptions options);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // When a unit of work that failed on a broken connection may run again.
  enum class Retry {
    // Only when nothing it sent may have taken effect (Connection::may_have_committed): it
    // failed before its COMMIT, or before its first statement reached the server.
    if_nothing_committed,
    // Also when it may have: running it twice is harmless (reads).
    idempotent,
  };

  // Runs `work` (Connection& -> util::Result<T>) on a pooled connection. A connection the
  // server closed while it was idle (a restart) is replaced before `work` sees it. When
  // `work` fails because its connection broke and `retry` allows, it runs once more on a
  // fresh connection: after a restart no caller gets an error for a connection that was
  // opened before it. Errors the database answered (a constraint, a conflict) are never
  // retried here. A connection that broke is closed with the idle ones, never reused.
  template<typename Work>
  auto run(Work&& work, Retry retry = Retry::if_nothing_committed)
    -> std::invoke_result_t<Work, Connection&> {
    for (int attempt = 1;; ++attempt) {
      auto connection = acquire();
      if (!connection) {
        return tl::unexpected(connection.error());
      }
      (*connection)->begin_unit();
      auto result = work(**connection);
      const bool again = !result && attempt == 1 && (*connection)->broken() &&
                         (retry == Retry::idempotent || !(*connection)->may_have_committed());
      release(std::move(*connection));
      if (!again) {
        return result;
      }
    }
  }

  [[nodiscard]] const PoolOptions& options() const { return m_options; }
  // Connections open now (in use and idle): for tests and the log.
  [[nodiscard]] std::size_t open_connections();

private:
  explicit Pool(PoolOptions options) : m_options(std::move(options)) {}
  util::Result<std::unique_ptr<Connection>> acquire();
  void release(std::unique_ptr<Connection> connection);

  PoolOptions m_options;
  std::mutex m_mutex;
  std::condition_variable m_returned;
  std::vector<std::unique_ptr<Connection>> m_idle;
  std::size_t m_open = 0; // in use + idle + being opened
  bool m_connecting = false;
  std::chrono::milliseconds m_backoff{0}; // 0: the last connect worked
  std::chrono::steady_clock::time_point m_next_attempt{};
  std::string m_last_error;
};

} // namespace oauthctl::server::pg
