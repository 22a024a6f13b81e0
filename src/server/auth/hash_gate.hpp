// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string_view>

namespace oauthctl::server {

// Admission control for secret and password verification (scrypt: ~0.1 s and 32 MiB per
// run). At most `slots` verifications run at once and at most `queue` more wait for a
// slot; a request beyond both is refused at once instead of parking a worker thread, so
// a flood of wrong secrets leaves the workers free for everything else (security review
// H1). One gate is shared by client secrets and user passwords. Thread-safe.
class HashGate {
public:
  // Slots default to the number of cores: scrypt is CPU-bound, more would only queue in
  // the kernel. The queue absorbs a burst of honest logins (about a second of work).
  explicit HashGate(std::size_t slots = default_slots(), std::size_t queue = 0,
                    std::chrono::milliseconds max_wait = std::chrono::seconds(3));

  // verify_secret(secret, encoded) in a slot: true or false, or nullopt when the gate is
  // full (or the wait for a slot ran past `max_wait`).
  [[nodiscard]] std::optional<bool> verify(std::string_view secret, std::string_view encoded) const;

  // Runs `work` in a slot and returns its result; nullopt (and `work` not run) when full.
  template<class Work>
  [[nodiscard]] auto run(Work&& work) const -> std::optional<decltype(work())> {
    if (!enter()) {
      return std::nullopt;
    }
    struct Leave {
      const HashGate* gate;
      ~Leave() { gate->leave(); }
    } leave{this};
    return work();
  }

  [[nodiscard]] static std::size_t default_slots();

private:
  // Takes a slot, waiting in the queue if there is room; false when refused.
  bool enter() const;
  void leave() const;

  std::size_t m_slots;
  std::size_t m_queue;
  std::chrono::milliseconds m_max_wait;
  mutable std::mutex m_mutex;
  mutable std::condition_variable m_freed;
  mutable std::size_t m_running = 0;
  mutable std::size_t m_waiting = 0;
};

} // namespace oauthctl::server
