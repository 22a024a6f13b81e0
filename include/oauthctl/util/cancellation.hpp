// SPDX-License-Identifier: MIT
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace oauthctl::util {

// A one-shot cancellation signal shared between whoever waits (a grant waiting for the
// browser) and whoever decides to stop (the CLI's Ctrl-C watcher). Thread-safe.
class Cancellation {
public:
  // Marks the signal cancelled and runs every registered action once; returns how many
  // actions ran (0 tells the caller nobody was waiting to be woken).
  std::size_t cancel();

  // Whether cancel() was called.
  [[nodiscard]] bool cancelled() const;

  // Registers `action` to run on cancel() (at once, on this thread, when already
  // cancelled); returns an id for unsubscribe().
  std::uint64_t subscribe(std::function<void()> action);

  // Forgets the action registered under `id`; harmless when it is gone already. When
  // cancel() is running that action on another thread, waits until it has returned: the
  // action may use an object its subscriber destroys next (a listener's stop()).
  void unsubscribe(std::uint64_t id);

private:
  mutable std::mutex m_mutex;
  bool m_cancelled = false;
  std::uint64_t m_next_id = 1;
  std::map<std::uint64_t, std::function<void()>> m_actions;
  std::uint64_t m_running_id = 0; // the action cancel() is running now, 0 for none
  std::condition_variable m_action_done;
};

// Keeps an action registered with a Cancellation for the lifetime of this object.
class CancellationScope {
public:
  // Registers `action` with `cancellation` when it is not null.
  CancellationScope(Cancellation* cancellation, std::function<void()> action);
  CancellationScope(const CancellationScope&) = delete;
  CancellationScope& operator=(const CancellationScope&) = delete;
  ~CancellationScope();

private:
  Cancellation* m_cancellation;
  std::uint64_t m_id = 0;
};

} // namespace oauthctl::util
