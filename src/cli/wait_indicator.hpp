// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>

namespace oauthctl::cli {

// Whether the wait indicator may redraw its line (a terminal) or must print once (a pipe, a log).
enum class Animate { yes, no };

// Shows that oauthctl is waiting (for a browser redirect, a device approval): on a
// terminal a spinner line with `message` and the time left, redrawn ten times a second
// on `out` from a thread, erased when the object goes; elsewhere one plain line at the
// start, so logs stay readable. Moves and copies are not allowed.
class WaitIndicator {
public:
  // Starts showing `message` (e.g. "waiting for the browser at http://...") with
  // `timeout` as the time budget.
  WaitIndicator(std::ostream& out, Animate animate, std::string message, std::chrono::seconds timeout);
  WaitIndicator(const WaitIndicator&) = delete;
  WaitIndicator& operator=(const WaitIndicator&) = delete;
  ~WaitIndicator();

  // The line drawn at frame `frame` with `left` seconds remaining (no "\r"). Test hook.
  static std::string render(const std::string& message, int frame, std::chrono::seconds left);

private:
  void run();

  std::ostream& m_out;
  std::string m_message;
  std::chrono::steady_clock::time_point m_deadline;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_stop = false;
  std::thread m_thread;
};

} // namespace oauthctl::cli
