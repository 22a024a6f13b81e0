// SPDX-License-Identifier: MIT
#include "server/auth/login_backoff.hpp"

#include "server/state/state_unavailable.hpp"

#include <algorithm>

namespace oauthctl::server {

BackoffPolicy per_username_policy(const BackoffPolicy& policy) {
  BackoffPolicy softer = policy;
  softer.free_failures = policy.free_failures * 10;
  softer.max_doublings = std::min<std::int64_t>(policy.max_doublings, 2);
  return softer;
}

std::string address_key(std::string_view username, std::string_view address) {
  // A username may contain '|', an address never does: keys cannot collide.
  std::string key(address);
  key += '|';
  key += username;
  return key;
}

void LoginBackoff::set_policy(BackoffPolicy policy) {
  m_policy = policy;
}

std::int64_t LoginBackoff::wait_for(int failures, std::int64_t last, std::int64_t now) const {
  if (failures < m_policy.free_failures || now - last >= m_policy.window) {
    return 0;
  }
  const auto doublings = std::min<std::int64_t>(failures - m_policy.free_failures, m_policy.max_doublings);
  const auto wait = m_policy.first_wait << std::clamp<std::int64_t>(doublings, 0, 30);
  return std::max<std::int64_t>(0, last + wait - now);
}

std::int64_t LoginBackoff::wait(const std::string& key, std::int64_t now) const {
  const auto record = state::need(m_store.backoff(m_scope + key, now));
  return record ? wait_for(record->failures, record->last_failure, now) : 0;
}

void LoginBackoff::record(const std::string& key, bool failed, std::int64_t now) {
  if (!failed) {
    state::need(m_store.clear_failures(m_scope + key));
    return;
  }
  // One atomic upsert: concurrent failures (any process) all count. A flood of made-up
  // usernames adds rows that prune removes after the window.
  (void)state::need(m_store.add_failure(m_scope + key, now, m_policy.window));
}

} // namespace oauthctl::server
