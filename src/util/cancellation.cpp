// SPDX-License-Identifier: MIT
#include <oauthctl/util/cancellation.hpp>

#include <vector>

namespace oauthctl::util {

std::size_t Cancellation::cancel() {
  std::vector<std::uint64_t> ids;
  {
    std::lock_guard lock(m_mutex);
    m_cancelled = true;
    for (const auto& [id, action] : m_actions) {
      ids.push_back(id);
    }
  }
  // Each action runs outside the lock (a listener's stop may take a while or re-enter),
  // but marked as running, so that unsubscribe() waits for it rather than letting its
  // subscriber destroy what it uses; one unsubscribed meanwhile is skipped.
  std::size_t ran = 0;
  for (const auto id : ids) {
    std::function<void()> action;
    {
      std::lock_guard lock(m_mutex);
      const auto found = m_actions.find(id);
      if (found == m_actions.end()) {
        continue;
      }
      action = std::move(found->second);
      m_actions.erase(found);
      m_running_id = id;
    }
    action();
    ++ran;
    {
      std::lock_guard lock(m_mutex);
      m_running_id = 0;
    }
    m_action_done.notify_all();
  }
  return ran;
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
  std::unique_lock lock(m_mutex);
  m_actions.erase(id);
  // An action that unsubscribes itself (on cancel()'s thread) would wait for itself: the
  // only such caller is the action's own scope, which never ends inside the action.
  m_action_done.wait(lock, [&] { return id == 0 || m_running_id != id; });
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
