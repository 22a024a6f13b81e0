// SPDX-License-Identifier: MIT
#pragma once

#include <mutex>

// Which threads may wait. The transport (routes.cpp) answers some requests on its event-loop
// threads: the never_blocks() routes, and the token endpoint until it finds it must wait. A
// loop thread that waits (a store call, scrypt, an outbound fetch, a sleep) stalls every
// other connection on that loop, so whatever may wait calls require_worker() first: on an
// event-loop thread it throws WouldBlock, which the transport catches to hand the request
// to its worker pool, where it runs again from the start. A request that starts on the
// loop must therefore change nothing a second run would see before it reaches a
// require_worker(): the store calls, the hash gate and the fetches check it before they
// take a lock or change anything.
namespace oauthctl::server {

// "This request must run on a worker." Deliberately not a std::exception: a
// `catch (const std::exception&)` on the way must not turn it into an error answer; only
// the transport catches it.
struct WouldBlock {};

namespace detail {
inline thread_local bool t_on_event_loop = false;
} // namespace detail

// Marks the calling thread as an event loop while it lives.
class EventLoopThread {
public:
  EventLoopThread() : m_was(detail::t_on_event_loop) { detail::t_on_event_loop = true; }
  ~EventLoopThread() { detail::t_on_event_loop = m_was; }
  EventLoopThread(const EventLoopThread&) = delete;
  EventLoopThread& operator=(const EventLoopThread&) = delete;

private:
  bool m_was;
};

[[nodiscard]] inline bool on_event_loop() {
  return detail::t_on_event_loop;
}

// Call before anything that may wait: throws WouldBlock on an event-loop thread.
inline void require_worker() {
  if (detail::t_on_event_loop) {
    throw WouldBlock{};
  }
}

// A std::mutex that event-loop threads may not take (require_worker()), for locks held
// across I/O, such as the SQLite store's: waiting for one is waiting for the I/O.
class WorkerMutex {
public:
  void lock() {
    require_worker();
    m_mutex.lock();
  }
  bool try_lock() {
    require_worker();
    return m_mutex.try_lock();
  }
  void unlock() { m_mutex.unlock(); }

private:
  std::mutex m_mutex;
};

} // namespace oauthctl::server
