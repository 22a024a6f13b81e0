// SPDX-License-Identifier: MIT
#include "server/state/state_maintenance.hpp"

#include <ctime>
#include <string>

namespace oauthctl::server::state {

StateMaintenance::StateMaintenance(StateStore& store, Tasks tasks)
    : m_store(store), m_tasks(std::move(tasks)), m_thread([this] { run(); }) {
  if (m_tasks.once) {
    m_once_thread = std::thread([this] { m_tasks.once([this] { return m_stopping.load(); }); });
  }
  // A store that hears of other processes' commits (PostgreSQL NOTIFY) wakes the poll at
  // once; the 250 ms poll stays the fallback and the bound.
  m_store.on_change([this] { wake(); });
}

void StateMaintenance::wake() {
  {
    const std::lock_guard lock(m_mutex);
    m_changed = true;
  }
  m_wake.notify_all();
}

StateMaintenance::~StateMaintenance() {
  m_store.on_change({});
  m_stopping = true;
  {
    const std::lock_guard lock(m_mutex);
    m_stop = true;
  }
  m_wake.notify_all();
  m_thread.join();
  if (m_once_thread.joinable()) {
    m_once_thread.join();
  }
}

void StateMaintenance::report(const util::Result<void>& outcome, bool& failing, std::string_view what) {
  if (!outcome && !failing && m_tasks.log) {
    m_tasks.log("warning: " + std::string(what) + ": " + outcome.error().message);
  }
  if (outcome && failing && m_tasks.log) {
    m_tasks.log(std::string(what) + ": the state store answers again");
  }
  failing = !outcome;
}

void StateMaintenance::run() {
  using Clock = std::chrono::steady_clock;
  auto next_prune = Clock::now() + m_tasks.prune_every;
  bool refresh_failing = false;
  bool prune_failing = false;
  std::unique_lock lock(m_mutex);
  while (!m_stop) {
    m_wake.wait_for(lock, m_tasks.refresh_every, [this] { return m_stop || m_changed; });
    if (m_stop) {
      break;
    }
    m_changed = false;
    lock.unlock();
    if (m_tasks.refresh) {
      report(m_tasks.refresh(), refresh_failing, "state views");
    }
    if (Clock::now() >= next_prune) {
      next_prune = Clock::now() + m_tasks.prune_every;
      auto pruned = m_store.prune(static_cast<std::int64_t>(std::time(nullptr)));
      report(pruned ? util::Result<void>() : tl::unexpected(pruned.error()), prune_failing, "prune");
      if (m_tasks.refresh) {
        // A long prune must not leave the views past their bound.
        report(m_tasks.refresh(), refresh_failing, "state views");
      }
    }
    lock.lock();
  }
}

} // namespace oauthctl::server::state
