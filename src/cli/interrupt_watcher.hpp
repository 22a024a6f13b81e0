// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/util/cancellation.hpp>

#include <csignal>
#include <thread>

namespace oauthctl::cli {

// While alive, turns Ctrl-C (SIGINT) into `cancellation.cancel()` from a watcher thread,
// so a grant waiting for the browser stops its listener and the command exits 130. When
// nothing is waiting to be woken, or on a second Ctrl-C, the process exits 130 at once,
// as an unhandled SIGINT would. One watcher at a time; a nested one does nothing.
class InterruptWatcher {
public:
  explicit InterruptWatcher(util::Cancellation& cancellation);
  InterruptWatcher(const InterruptWatcher&) = delete;
  InterruptWatcher& operator=(const InterruptWatcher&) = delete;
  ~InterruptWatcher();

private:
  void watch();

  util::Cancellation& m_cancellation;
  int m_pipe[2] = {-1, -1};
  struct sigaction m_previous {};
  std::thread m_thread;
  bool m_installed = false;
};

} // namespace oauthctl::cli
