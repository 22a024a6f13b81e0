// SPDX-License-Identifier: MIT
#pragma once

#include "server/state/state_store.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace oauthctl::server::state {

// The background work of a serving process on its state store: `once` on a thread of its
// own (the seed's secrets hashed at rest: seconds of scrypt must not delay the poll), and
// on another, every `refresh_every` the `refresh` steps in order (the revocation view's
// poll, the signing keys, the clients and users) and every `prune_every` `prune(now)` on the
// store (expired sessions, codes, refresh families, revocations, jtis...). Errors go to
// `log` as "warning: ..." lines, once per outage, and the loop goes on (the store
// reconnects or comes back by itself). A tick that starts or runs late by `slow_tick` or
// more is logged as a warning naming each step's time and how long the thread waited for a
// CPU, so a view that aged past its bound can be explained. Stops and joins on destruction.
class StateMaintenance {
public:
  struct Step {
    std::string name; // for the log: "revocations"
    std::function<util::Result<void>()> run;
  };
  struct Tasks {
    // Gets a function that says whether the process is stopping (stop between steps).
    std::function<void(const std::function<bool()>& stopping)> once;
    std::vector<Step> refresh;
    std::chrono::milliseconds refresh_every{250};
    std::chrono::seconds prune_every{60};
    std::chrono::milliseconds slow_tick{500};
    // Every tick runs this much late, notifications ignored (serve --simulate late_state_poll).
    std::chrono::milliseconds late_by{0};
    std::function<void(std::string_view)> log;
  };

  StateMaintenance(StateStore& store, Tasks tasks);
  ~StateMaintenance();
  StateMaintenance(const StateMaintenance&) = delete;
  StateMaintenance& operator=(const StateMaintenance&) = delete;

  // Runs `refresh` now rather than at the next tick (another process committed a change).
  void wake();

private:
  void run();
  void report(const util::Result<void>& outcome, bool& failing, std::string_view what);

  StateStore& m_store;
  Tasks m_tasks;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_stop = false;
  bool m_changed = false; // another process committed a change (the store said so)
  std::atomic<bool> m_stopping{false};
  std::thread m_thread;      // started once everything above is ready
  std::thread m_once_thread; // runs `once`
};

} // namespace oauthctl::server::state
