// SPDX-License-Identifier: MIT
#include "server/state/revocation_view.hpp"

#include <ctime>

namespace oauthctl::server::state {

RevocationView::RevocationView(StateStore& store, std::chrono::milliseconds bound)
    : m_store(store), m_freshness("revocation view", {.bound = bound}) {}

bool RevocationView::is_revoked(const std::string& jti) {
  m_freshness.require([this] { return read_delta(); });
  if (m_count.load(std::memory_order_acquire) == 0) {
    return false;
  }
  const std::shared_lock lock(m_mutex);
  return m_revoked.find(jti) != m_revoked.end();
}

util::Result<void> RevocationView::refresh() {
  return m_freshness.refresh([this] { return read_delta(); });
}

util::Result<void> RevocationView::read_delta() {
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
  return {};
}

void RevocationView::add(const std::string& jti, std::int64_t expires_at) {
  const std::unique_lock lock(m_mutex);
  auto& stored = m_revoked[jti];
  stored = std::max(stored, expires_at);
  m_count.store(m_revoked.size(), std::memory_order_release);
}

} // namespace oauthctl::server::state
