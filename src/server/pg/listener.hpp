// SPDX-License-Identifier: MIT
#pragma once

#include "server/pg/connection.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace oauthctl::server::pg {

// Listens for NOTIFY on one channel over a connection of its own, in a thread, and
// calls `wake` when a notification arrives, after every (re)connect (to catch up on what
// was missed meanwhile), and at least every `poll` interval (the fallback when a
// notification is lost). When the connection breaks it reconnects with backoff; `wake`
// still runs on the poll interval, so the caller notices the outage by its own query
// failing.
class Listener {
public:
  struct Options {
    std::string url;
    ConnectOptions connect;
    std::string channel; // a constant identifier of ours (letters, digits, _), never input
    std::chrono::milliseconds poll{250};
  };

  [[nodiscard]] static std::unique_ptr<Listener> start(Options options, std::function<void()> wake);
  // Stops the thread and closes the connection.
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

private:
  Listener(Options options, std::function<void()> wake);
  void loop();
  std::unique_ptr<Connection> connect();

  Options m_options;
  std::function<void()> m_wake;
  std::atomic<bool> m_stop{false};
  std::thread m_thread;
};

} // namespace oauthctl::server::pg
