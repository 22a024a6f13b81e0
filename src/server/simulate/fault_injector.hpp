// SPDX-License-Identifier: MIT
#pragma once

#include "server/app.hpp"

#include <oauthctl/oauth/jwt.hpp>
#include <oauthctl/server/simulate.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace oauthctl::server {

// `serve --simulate`: sits between the transport and the route table and makes the
// server misbehave on purpose. Each fault is a rewrite of the request before the route
// table sees it, an answer instead of the route table's, or a rewrite of its answer, so
// the endpoints stay as they are. Faults apply to every request (`--simulate`) or to the
// requests of one client (a Client's `simulate` field). Thread-safe.
class FaultInjector {
public:
  using Next = std::function<ServerResponse(const ServerRequest&)>;

  // `global` for every request, `per_client` by client id; `internal` error when the
  // extra key of id_token_no_kid/jwks_rotated cannot be made.
  [[nodiscard]] static util::Result<std::unique_ptr<FaultInjector>>
  create(std::vector<Fault> global, std::map<std::string, std::vector<Fault>> per_client);

  // Answers `request` through `next` (the route table of `context`) with the faults that
  // apply to it.
  ServerResponse handle(const AppContext& context, const ServerRequest& request, const Next& next);

private:
  FaultInjector() = default;
  // The faults for a request of `client_id` (may be empty).
  std::vector<Fault> faults_for(const std::string& client_id) const;
  std::string client_of(const ServerRequest& request);
  void remember_pending(const ServerRequest& request, const ServerResponse& response,
                        const std::string& client);
  std::optional<ServerResponse> answer_instead(ServerRequest& request, const std::vector<Fault>& faults);
  void rewrite(const AppContext& context, const ServerRequest& request, ServerResponse& response,
               const std::vector<Fault>& faults);
  void rewrite_id_token(const AppContext& context, ServerResponse& response,
                        const std::vector<Fault>& faults);
  void rewrite_jwks(ServerResponse& response, const std::vector<Fault>& faults);

  std::vector<Fault> m_global;
  std::map<std::string, std::vector<Fault>> m_per_client;
  std::optional<oauth::SigningKey> m_extra_key; // id_token_no_kid, jwks_rotated
  // id_token_no_kid, globally or for any client: the JWKS (one document, fetched without a
  // client id) always lists the extra key, so a kid-less id_token has two candidates.
  bool m_always_publish_extra_key = false;
  std::atomic<bool> m_rotated{false}; // jwks_rotated: the first JWKS fetch happened

  std::mutex m_mutex; // guards the maps below
  // code_reusable / refresh_reuse_allowed: the first answer to a code or refresh token.
  std::map<std::string, ServerResponse> m_answers;
  // refresh_not_rotated: the refresh token a client keeps -> the server's current one.
  std::map<std::string, std::string> m_current_refresh;
  // Per-client faults on the login and consent pages: pending request id -> client id.
  std::map<std::string, std::string> m_pending_clients;
};

// The clock `serve` runs on: the system clock moved by clock_skew, when it is among `faults`.
Clock simulated_clock(const std::vector<Fault>& faults);

// How late serve's state poll runs every time: late_state_poll's duration, or 0.
std::chrono::milliseconds simulated_poll_delay(const std::vector<Fault>& faults);

} // namespace oauthctl::server
