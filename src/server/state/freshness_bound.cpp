// SPDX-License-Identifier: MIT
#include "server/state/freshness_bound.hpp"

#include "server/event_loop_guard.hpp"
#include "server/state/state_unavailable.hpp"

#include <fmt/format.h>

namespace oauthctl::server::state {

namespace {

FreshnessBound::Clock::rep ticks(std::chrono::milliseconds duration) {
  return std::chrono::duration_cast<FreshnessBound::Clock::duration>(duration).count();
}

FreshnessBound::Clock::rep now_ticks() {
  return FreshnessBound::Clock::now().time_since_epoch().count();
}

long long ticks_as_ms(FreshnessBound::Clock::rep count) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(FreshnessBound::Clock::duration(count))
    .count();
}

} // namespace

FreshnessBound::FreshnessBound(std::string what, Timing timing)
    : m_what(std::move(what)), m_timing(timing), m_bound(ticks(timing.bound)) {}

void FreshnessBound::set_bound(std::chrono::milliseconds bound) {
  m_bound.store(ticks(bound), std::memory_order_relaxed);
}

std::chrono::milliseconds FreshnessBound::bound() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
    Clock::duration(m_bound.load(std::memory_order_relaxed)));
}

bool FreshnessBound::is_stale() const {
  const auto bound = m_bound.load(std::memory_order_relaxed);
  return bound != 0 && now_ticks() - m_fresh_as_of.load(std::memory_order_acquire) > bound;
}

void FreshnessBound::confirm(Clock::time_point as_of) {
  const auto at = as_of.time_since_epoch().count();
  auto seen = m_fresh_as_of.load(std::memory_order_relaxed);
  while (seen < at && !m_fresh_as_of.compare_exchange_weak(seen, at, std::memory_order_release)) {
  }
}

void FreshnessBound::refuse_when_failing(Clock::rep now) const {
  if (const auto failed = m_failed_at.load(std::memory_order_acquire);
      failed != 0 && now - failed < ticks(m_timing.retry)) {
    throw StateUnavailable(fmt::format("{} older than its bound: its refresh failed {} ms ago", m_what,
                                       ticks_as_ms(now - failed)));
  }
  if (const auto since = m_refreshing_since.load(std::memory_order_acquire);
      since != 0 && now - since >= ticks(m_timing.patience)) {
    throw StateUnavailable(
      fmt::format("{} older than its bound: the store has not answered its refresh for {} ms", m_what,
                  ticks_as_ms(now - since)));
  }
}

void FreshnessBound::refresh_stale(const Refresh& refresh) {
  refuse_when_failing(now_ticks());
  // A refresh (or the wait for another request's) reads the store: never on an event loop.
  require_worker();
  // Requests arriving together wait for one refresh, not one each; never longer than
  // `patience` (a store that stopped answering must not hold workers).
  std::unique_lock lock(m_refresh_mutex, std::defer_lock);
  if (!lock.try_lock_for(m_timing.patience)) {
    throw StateUnavailable(
      fmt::format("{} older than its bound: its refresh took over {} ms", m_what, m_timing.patience.count()));
  }
  if (!is_stale()) {
    return; // another request's refresh, or the poll, made it fresh meanwhile
  }
  refuse_when_failing(now_ticks()); // the refresh waited for has just failed
  if (auto refreshed = refresh_locked(refresh); !refreshed) {
    throw StateUnavailable(fmt::format("{} older than its bound: {}", m_what, refreshed.error().message));
  }
  if (is_stale()) {
    throw StateUnavailable(
      fmt::format("{} older than its bound: its refresh took longer than the bound", m_what));
  }
}

util::Result<void> FreshnessBound::refresh(const Refresh& refresh) {
  const std::lock_guard lock(m_refresh_mutex);
  return refresh_locked(refresh);
}

util::Result<void> FreshnessBound::refresh_locked(const Refresh& refresh) {
  const auto started = Clock::now();
  m_refreshing_since.store(started.time_since_epoch().count(), std::memory_order_release);
  struct Finished { // also when `refresh` throws
    std::atomic<Clock::rep>& since;
    ~Finished() { since.store(0, std::memory_order_release); }
  } finished{m_refreshing_since};
  auto outcome = refresh();
  if (outcome) {
    // Fresh as of when the read began: whatever committed before then is in the view.
    confirm(started);
    m_failed_at.store(0, std::memory_order_release);
  } else {
    m_failed_at.store(now_ticks(), std::memory_order_release);
  }
  return outcome;
}

} // namespace oauthctl::server::state
