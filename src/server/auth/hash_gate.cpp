// SPDX-License-Identifier: MIT
#include "server/auth/hash_gate.hpp"

#include "server/event_loop_guard.hpp"

#include <oauthctl/server/secret_hash.hpp>

#include <algorithm>
#include <thread>

namespace oauthctl::server {

std::size_t HashGate::default_slots() {
  return std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 16);
}

HashGate::HashGate(std::size_t slots, std::size_t queue, std::chrono::milliseconds max_wait)
    : m_slots(std::max<std::size_t>(slots, 1)), m_queue(queue == 0 ? 4 * m_slots : queue),
      m_max_wait(max_wait) {}

bool HashGate::enter() const {
  // A slow hash (or the wait for a slot) never runs on an event loop.
  require_worker();
  std::unique_lock lock(m_mutex);
  if (m_running >= m_slots) {
    if (m_waiting >= m_queue) {
      return false;
    }
    ++m_waiting;
    const bool admitted = m_freed.wait_for(lock, m_max_wait, [this] { return m_running < m_slots; });
    --m_waiting;
    if (!admitted) {
      return false;
    }
  }
  ++m_running;
  return true;
}

void HashGate::leave() const {
  {
    const std::lock_guard lock(m_mutex);
    --m_running;
  }
  m_freed.notify_one();
}

std::optional<bool> HashGate::verify(std::string_view secret, std::string_view encoded) const {
  return run([&] { return verify_secret(secret, encoded); });
}

} // namespace oauthctl::server
