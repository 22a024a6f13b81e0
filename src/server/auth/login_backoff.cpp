// SPDX-License-Identifier: MIT
#include "server/auth/login_backoff.hpp"

#include <algorithm>

namespace oauthctl::server {

namespace {

// A flood of made-up usernames must not grow memory without limit.
constexpr std::size_t k_max_tracked = 100000;

} // namespace

void LoginBackoff::set_policy(BackoffPolicy policy) {
  const std::lock_guard lock(m_mutex);
  m_policy = policy;
}

std::int64_t LoginBackoff::wait_locked(const Failures& failures, std::int64_t now) const {
  if (failures.count < m_policy.free_failures || now - failures.last >= m_policy.window) {
    return 0;
  }
  const auto doublings =
    std::min<std::int64_t>(failures.count - m_policy.free_failures, m_policy.max_doublings);
  const auto wait = m_policy.first_wait << std::clamp<std::int64_t>(doublings, 0, 30);
  return std::max<std::int64_t>(0, failures.last + wait - now);
}

std::int64_t LoginBackoff::wait(const std::string& username, std::int64_t now) const {
  const std::lock_guard lock(m_mutex);
  const auto it = m_failures.find(username);
  return it == m_failures.end() ? 0 : wait_locked(it->second, now);
}

void LoginBackoff::record(const std::string& username, bool failed, std::int64_t now) {
  const std::lock_guard lock(m_mutex);
  if (!failed) {
    m_failures.erase(username);
    return;
  }
  if (m_failures.size() >= k_max_tracked) {
    // Drop what the window already forgot; if that is not enough, start over.
    std::erase_if(m_failures, [&](const auto& entry) { return now - entry.second.last >= m_policy.window; });
    if (m_failures.size() >= k_max_tracked) {
      m_failures.clear();
    }
  }
  auto& entry = m_failures[username];
  if (entry.count > 0 && now - entry.last >= m_policy.window) {
    entry.count = 0; // an old streak of failures no longer counts
  }
  ++entry.count;
  entry.last = now;
}

} // namespace oauthctl::server
