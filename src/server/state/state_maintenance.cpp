// SPDX-License-Identifier: MIT
#include "server/state/state_maintenance.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <string>

namespace oauthctl::server::state {

namespace {

using MaintenanceClock = std::chrono::steady_clock;

long long whole_ms(MaintenanceClock::duration duration) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(duration).count();
}

// Nanoseconds the calling thread has spent waiting on a run queue for a CPU (the second
// field of Linux's /proc/thread-self/schedstat); -1 where the kernel does not say.
std::int64_t cpu_wait_ns() {
  std::FILE* file = std::fopen("/proc/thread-self/schedstat", "r");
  if (file == nullptr) {
    return -1;
  }
  long long on_cpu = 0;
  long long waiting = -1;
  const bool read = std::fscanf(file, "%lld %lld", &on_cpu, &waiting) == 2;
  std::fclose(file);
  return read ? waiting : -1;
}

} // namespace

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
  auto next_prune = MaintenanceClock::now() + m_tasks.prune_every;
  auto due = MaintenanceClock::now() + m_tasks.refresh_every; // when the next tick should start
  auto cpu_wait_before = cpu_wait_ns();                       // at the end of the last tick
  bool refresh_failing = false;
  bool prune_failing = false;
  std::unique_lock lock(m_mutex);
  while (!m_stop) {
    const bool simulated_late = m_tasks.late_by.count() > 0;
    m_wake.wait_until(lock, due + m_tasks.late_by,
                      [this, simulated_late] { return m_stop || (m_changed && !simulated_late); });
    if (m_stop) {
      break;
    }
    const bool woken = m_changed;
    m_changed = false;
    lock.unlock();
    const auto started = MaintenanceClock::now();
    // A tick started by a notification is early, never late.
    const auto late = woken ? MaintenanceClock::duration::zero()
                            : std::max(MaintenanceClock::duration::zero(), started - due);
    std::string steps; // "revocations 3 ms, signing keys 1 ms, ..."
    const auto timed = [&steps](std::string_view name, const auto& work) {
      const auto step_started = MaintenanceClock::now();
      auto outcome = work();
      steps += fmt::format("{}{} {} ms", steps.empty() ? "" : ", ", name,
                           whole_ms(MaintenanceClock::now() - step_started));
      return outcome;
    };
    const auto refresh = [&] {
      util::Result<void> outcome;
      for (const auto& step : m_tasks.refresh) {
        auto done = timed(step.name, step.run);
        if (!done && outcome) {
          outcome = std::move(done);
        }
      }
      report(outcome, refresh_failing, "state views");
    };
    refresh();
    if (MaintenanceClock::now() >= next_prune) {
      next_prune = MaintenanceClock::now() + m_tasks.prune_every;
      auto pruned =
        timed("prune", [this] { return m_store.prune(static_cast<std::int64_t>(std::time(nullptr))); });
      report(pruned ? util::Result<void>() : tl::unexpected(pruned.error()), prune_failing, "prune");
      // A long prune must not leave the views past their bound.
      refresh();
    }
    const auto finished = MaintenanceClock::now();
    const auto cpu_wait_after = cpu_wait_ns();
    if (late + (finished - started) >= m_tasks.slow_tick && m_tasks.log) {
      std::string cpu;
      if (cpu_wait_before >= 0 && cpu_wait_after >= 0) {
        cpu = fmt::format("; since the last tick the thread waited {} ms for a CPU",
                          (cpu_wait_after - cpu_wait_before) / 1'000'000);
      }
      m_tasks.log(fmt::format("warning: state maintenance tick started {} ms late and took {} ms ({}){}",
                              whole_ms(late), whole_ms(finished - started), steps, cpu));
    }
    cpu_wait_before = cpu_wait_after;
    due = finished + m_tasks.refresh_every;
    lock.lock();
  }
}

} // namespace oauthctl::server::state
