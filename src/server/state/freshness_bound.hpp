// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/util/error.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>

namespace oauthctl::server::state {

// The staleness bound of a view this process keeps of state in the store (the revoked
// token ids: RevocationView; the clients and users: LiveDirectory), in one place. A view
// may answer only while it was confirmed current less than `bound` ago, so a token
// revoked, or a client dropped, on another replica is refused here within the bound and
// never later (issue 9's contract; docs/scaling.md).
//
// The maintenance poll (every 250 ms) normally keeps the view fresh through refresh(). A
// request that finds it older (the poll came late: a loaded machine, a slow query)
// refreshes it on the spot through require(): one refresh at a time, the requests arriving
// meanwhile wait for it and then find the view fresh. A refresh reads the store, so it never
// runs on an event-loop thread: there require() throws WouldBlock and the transport runs the
// request again on a worker (event_loop_guard.hpp). When the store cannot be asked,
// require() throws StateUnavailable and the request gets 503 temporarily_unavailable (fail
// closed: never an answer from a view that may have missed a revocation).
//
// During an outage requests must not queue up on workers waiting for a dead database: for
// `retry` after a refresh failed, and while a refresh has been running for `patience` or
// longer, require() throws StateUnavailable at once, on whatever thread it runs; a request
// waits at most `patience` for another's refresh. Then one request tries again.
// Thread-safe.
class FreshnessBound {
public:
  using Clock = std::chrono::steady_clock;
  using Refresh = std::function<util::Result<void>()>;

  struct Timing {
    std::chrono::milliseconds bound{1000}; // 0: no bound, the view never goes stale
    std::chrono::milliseconds retry{100};
    // As long as the bound: a refresh that takes longer leaves the view stale anyway (it is
    // fresh as of when it began), and a database that answers slowly, not never (a loaded
    // machine), must not turn reads into 503s sooner than that.
    std::chrono::milliseconds patience{1000};
  };

  // `what` names the view in StateUnavailable's message ("revocation view").
  FreshnessBound(std::string what, Timing timing);

  // Returns once the view may answer: it is fresh (an atomic load and a clock read), or
  // `refresh` made it so (it reads the store; on success the view is fresh as of when it
  // began). Otherwise throws WouldBlock or StateUnavailable, as above.
  template<typename Read>
  void require(const Read& refresh) {
    if (is_stale()) {
      refresh_stale(refresh);
    }
  }

  // Runs `refresh` now (the maintenance poll, a change this process made), after any
  // refresh under way: the view is then fresh as of when it began, or noted as failing.
  [[nodiscard]] util::Result<void> refresh(const Refresh& refresh);

  // The view was the store's at `as_of` (a refresh that began then read it). Never moves
  // the freshness backwards: two refreshes may finish out of order.
  void confirm(Clock::time_point as_of);

  // From now on the view goes stale `bound` after its last confirmation (0: never).
  void set_bound(std::chrono::milliseconds bound);
  [[nodiscard]] std::chrono::milliseconds bound() const;

  [[nodiscard]] bool is_stale() const;

private:
  void refresh_stale(const Refresh& refresh); // require() for a stale view
  // Throws StateUnavailable when the store is known not to answer (see above).
  void refuse_when_failing(Clock::rep now) const;
  [[nodiscard]] util::Result<void> refresh_locked(const Refresh& refresh); // m_refresh_mutex held

  std::string m_what;
  Timing m_timing;
  std::atomic<Clock::rep> m_bound; // Clock ticks; 0: unbounded
  std::atomic<Clock::rep> m_fresh_as_of{0};
  std::atomic<Clock::rep> m_failed_at{0};        // the last refresh failed then; 0: it worked
  std::atomic<Clock::rep> m_refreshing_since{0}; // a refresh under way began then; 0: none
  std::timed_mutex m_refresh_mutex;              // one refresh at a time
};

} // namespace oauthctl::server::state
