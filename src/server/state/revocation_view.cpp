// SPDX-License-Identifier: MIT
#include "server/state/revocation_view.hpp"

#include "server/event_loop_guard.hpp"
#include "server/state/state_unavailable.hpp"

#include <ctime>

namespace oauthctl::server::state {

RevocationView::RevocationView(StateStore& store, std::chrono::milliseconds bound)
    : m_store(store), m_bound(bound) {}

bool RevocationView::is_stale() const {
  const auto age = Clock::now().time_since_epoch().count() - m_fresh_at.load(std::memory_order_acquire);
  return age > std::chrono::duration_cast<Clock::duration>(m_bound).count();
}

bool RevocationView::is_revoked(const std::string& jti) {
  if (is_stale()) {
    if (!m_readers_refresh.load(std::memory_order_relaxed)) {
      throw StateUnavailable("revocation view older than its bound");
    }
    // The refresh (or the wait for another reader's) reads the store: not on an event loop.
    require_worker();
    // Requests arriving together wait for one refresh, not one each.
    const std::lock_guard refresh_lock(m_refresh_mutex);
    if (is_stale()) {
      if (auto refreshed = refresh_locked(); !refreshed) {
        throw StateUnavailable("revocation view older than its bound: " + refreshed.error().message);
      }
    }
  }
  if (m_count.load(std::memory_order_acquire) == 0) {
    return false;
  }
  const std::shared_lock lock(m_mutex);
  return m_revoked.find(jti) != m_revoked.end();
}

util::Result<void> RevocationView::refresh() {
  const std::lock_guard refresh_lock(m_refresh_mutex);
  return refresh_locked();
}

util::Result<void> RevocationView::refresh_locked() {
  const auto started = Clock::now();
  auto delta = m_store.revocations_since(m_version);
  if (!delta) {
    return tl::unexpected(delta.error());
  }
  const std::unique_lock lock(m_mutex);
  for (const auto& row : delta->added) {
    auto& expires_at = m_revoked[row.jti];
    expires_at = std::max(expires_at, row.expires_at);
  }
  if (++m_refreshes % 240 == 0) {
    // About once a minute: expired tokens fail their own exp check, so forget them.
    const auto now = static_cast<std::int64_t>(std::time(nullptr));
    std::erase_if(m_revoked, [now](const auto& item) { return item.second <= now; });
  }
  m_version = delta->version;
  m_count.store(m_revoked.size(), std::memory_order_release);
  // Fresh as of when the read started: whatever committed before then is in the view.
  m_fresh_at.store(started.time_since_epoch().count(), std::memory_order_release);
  return {};
}

void RevocationView::add(const std::string& jti, std::int64_t expires_at) {
  const std::unique_lock lock(m_mutex);
  auto& stored = m_revoked[jti];
  stored = std::max(stored, expires_at);
  m_count.store(m_revoked.size(), std::memory_order_release);
}

} // namespace oauthctl::server::state
