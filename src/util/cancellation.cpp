// SPDX-License-Identifier: MIT
#include <oauthctl/util/cancellation.hpp>

#include <vector>

namespace oauthctl::util {

std::size_t Cancellation::cancel() {
  std::vector<std::function<void()>> actions;
  {
    std::lock_guard lock(m_mutex);
    m_cancelled = true;
    for (auto& [id, action] : m_actions) {
      actions.push_back(std::move(action));
    }
    m_actions.clear();
  }
  // Run outside the lock: an action (a listener's stop) may take a while or re-enter.
  for (auto& action : actions) {
    action();
  }
  return actions.size();
}

bool Cancellation::cancelled() const {
  std::lock_guard lock(m_mutex);
  return m_cancelled;
}

std::uint64_t Cancellation::subscribe(std::function<void()> action) {
  {
    std::lock_guard lock(m_mutex);
    if (!m_cancelled) {
      const auto id = m_next_id++;
      m_actions.emplace(id, std::move(action));
      return id;
    }
  }
  action();
  return 0;
}

void Cancellation::unsubscribe(std::uint64_t id) {
  std::lock_guard lock(m_mutex);
  m_actions.erase(id);
}

CancellationScope::CancellationScope(Cancellation* cancellation, std::function<void()> action)
    : m_cancellation(cancellation) {
  if (m_cancellation != nullptr) {
    m_id = m_cancellation->subscribe(std::move(action));
  }
}

CancellationScope::~CancellationScope() {
  if (m_cancellation != nullptr) {
    m_cancellation->unsubscribe(m_id);
  }
}

} // namespace oauthctl::util
