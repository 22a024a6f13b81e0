// SPDX-License-Identifier: MIT
#include "server/pg/pool.hpp"

#include "server/event_loop_guard.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace oauthctl::server::pg {

using util::ErrorKind;
using Clock = std::chrono::steady_clock;

util::Result<std::unique_ptr<Pool>> Pool::open(PoolOptions options) {
  if (options.size == 0) {
    return util::fail(ErrorKind::usage, "--store-pool must be at least 1");
  }
  auto first = Connection::open(options.url, options.connect);
  if (!first) {
    return tl::unexpected(first.error());
  }
  std::unique_ptr<Pool> pool(new Pool(std::move(options)));
  pool->m_idle.push_back(std::move(*first));
  pool->m_open = 1;
  return pool;
}

Pool::~Pool() = default;

std::size_t Pool::open_connections() {
  const std::lock_guard lock(m_mutex);
  return m_open;
}

util::Result<std::unique_ptr<Connection>> Pool::acquire() {
  require_worker(); // every statement starts here: none on an event loop
  std::unique_lock lock(m_mutex);
  const auto deadline = Clock::now() + m_options.wait;
  while (true) {
    if (!m_idle.empty()) {
      auto connection = std::move(m_idle.back());
      m_idle.pop_back();
      lock.unlock();
      if (connection->still_open()) {
        return connection;
      }
      connection.reset(); // the server closed it (restarted): open another in its place
      lock.lock();
      --m_open;
      continue;
    }
    if (m_open < m_options.size) {
      // While the database is down, one caller at a time tries to reconnect, and only
      // once the backoff has passed; the others fail at once.
      if (m_backoff.count() > 0 && (m_connecting || Clock::now() < m_next_attempt)) {
        return util::fail(ErrorKind::network, m_last_error);
      }
      ++m_open;
      m_connecting = true;
      lock.unlock();
      auto connection = Connection::open(m_options.url, m_options.connect);
      lock.lock();
      m_connecting = false;
      if (connection) {
        m_backoff = std::chrono::milliseconds(0);
        return connection;
      }
      --m_open;
      m_backoff = std::clamp(m_backoff * 2, m_options.first_backoff, m_options.max_backoff);
      m_next_attempt = Clock::now() + m_backoff;
      m_last_error = connection.error().message;
      m_returned.notify_all();
      return tl::unexpected(connection.error());
    }
    if (m_returned.wait_until(lock, deadline) == std::cv_status::timeout) {
      return util::fail(ErrorKind::network,
                        fmt::format("database unavailable: all {} connections stayed busy for {} ms",
                                    m_options.size, m_options.wait.count()));
    }
  }
}

void Pool::release(std::unique_ptr<Connection> connection) {
  const std::lock_guard lock(m_mutex);
  if (connection->broken()) {
    // The server restarted or went away: the idle connections lead to it too.
    m_open -= 1 + m_idle.size();
    m_idle.clear();
  } else {
    m_idle.push_back(std::move(connection));
  }
  m_returned.notify_all();
}

} // namespace oauthctl::server::pg
