// SPDX-License-Identifier: MIT
#include "server/pg/listener.hpp"

#include <poll.h>

#include <algorithm>

namespace oauthctl::server::pg {

// At namespace scope, as in pool.cpp: in a unity batch an anonymous-namespace Clock here
// would shadow pool.cpp's (clang -Wshadow).
using Clock = std::chrono::steady_clock;

namespace {

// The thread checks for stop() this often while it waits.
constexpr std::chrono::milliseconds k_slice{50};
constexpr std::chrono::milliseconds k_max_backoff{2000};

bool is_identifier(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

} // namespace

std::unique_ptr<Listener> Listener::start(Options options, std::function<void()> wake) {
  if (!is_identifier(options.channel)) {
    return nullptr;
  }
  std::unique_ptr<Listener> listener(new Listener(std::move(options), std::move(wake)));
  listener->m_thread = std::thread([raw = listener.get()] { raw->loop(); });
  return listener;
}

Listener::Listener(Options options, std::function<void()> wake)
    : m_options(std::move(options)), m_wake(std::move(wake)) {}

Listener::~Listener() {
  m_stop = true;
  if (m_thread.joinable()) {
    m_thread.join();
  }
}

std::unique_ptr<Connection> Listener::connect() {
  auto connection = Connection::open(m_options.url, m_options.connect);
  if (!connection) {
    return nullptr;
  }
  // The channel is one of our constants (checked in start()): LISTEN takes no parameter.
  if (auto listening = (*connection)->exec_script("LISTEN " + m_options.channel); !listening) {
    return nullptr;
  }
  return std::move(*connection);
}

void Listener::loop() {
  std::unique_ptr<Connection> connection;
  std::chrono::milliseconds backoff{0};
  auto next_connect = Clock::now();
  auto next_poll = Clock::now();
  while (!m_stop) {
    const auto now = Clock::now();
    if (!connection && now >= next_connect) {
      connection = connect();
      if (connection) {
        backoff = std::chrono::milliseconds(0);
        next_poll = now; // catch up on what happened while we were away
      } else {
        backoff = std::clamp(backoff * 2, std::chrono::milliseconds(100), k_max_backoff);
        next_connect = now + backoff;
      }
    }
    if (now >= next_poll) {
      m_wake();
      next_poll = Clock::now() + m_options.poll;
      continue;
    }
    const auto wait =
      std::min({std::chrono::duration_cast<std::chrono::milliseconds>(next_poll - now), k_slice});
    if (!connection) {
      pollfd none{};
      ::poll(&none, 0, static_cast<int>(wait.count()));
      continue;
    }
    pollfd fd{connection->socket(), POLLIN, 0};
    const int ready = ::poll(&fd, 1, static_cast<int>(std::max<std::int64_t>(wait.count(), 1)));
    if (ready <= 0) {
      continue;
    }
    auto received = connection->notifications();
    if (!received) {
      connection.reset();
      next_connect = Clock::now();
      continue;
    }
    if (!received->empty()) {
      m_wake();
      next_poll = Clock::now() + m_options.poll;
    }
  }
}

} // namespace oauthctl::server::pg
