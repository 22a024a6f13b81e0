// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/http/message.hpp>
#include <oauthctl/oauth/client_config.hpp>
#include <oauthctl/oauth/flow.hpp>
#include <oauthctl/oauth/metadata.hpp>
#include <oauthctl/oauth/token_response.hpp>
#include <oauthctl/util/error.hpp>
#include <oauthctl/util/form.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace oauthctl::oauth {

// The device authorization response (RFC 8628 §3.2).
struct DeviceAuthorization {
  std::string device_code; // a credential: never printed
  std::string user_code;
  std::string verification_uri;
  std::string verification_uri_complete; // empty when the server sent none
  std::chrono::seconds expires_in{0};
  std::chrono::seconds interval{5}; // RFC 8628 §3.2: 5 s when absent
};

// The device authorization endpoint for `config` and `metadata`: the discovered one, else
// <server>/auth/device (Aidbox's path layout); empty when neither is known.
std::string device_authorization_endpoint(const ClientConfig& config, const ServerMetadata& metadata);

// The device authorization request's form (RFC 8628 §3.1): `scope` when configured, plus
// `audience`/`resource` as the other grants send them; no client authentication yet.
util::FormFields device_authorization_form(const ClientConfig& config);

// Reads the device authorization response: 2xx JSON with device_code, user_code,
// verification_uri (Google's `verification_url` too) and expires_in; `oauth` error for an
// RFC 6749 §5.2 error body, `bad_response` for anything else.
[[nodiscard]] util::Result<DeviceAuthorization> parse_device_authorization(const http::Response& response);

// The token request form of a poll (RFC 8628 §3.4).
util::FormFields device_token_form(std::string_view device_code);

// How polling goes on after an error answer (RFC 8628 §3.5): authorization_pending polls
// again at the same interval, slow_down at an interval 5 s longer, anything else stops.
class PollSchedule {
public:
  // Starts at `interval` (at least 1 s).
  explicit PollSchedule(std::chrono::seconds interval);
  enum class Next { poll_again, stop };
  Next after_error(std::string_view oauth_error);
  [[nodiscard]] std::chrono::seconds interval() const { return m_interval; }

private:
  std::chrono::seconds m_interval;
};

// RFC 8628: asks the device authorization endpoint for a user code, shows the user where
// to enter it (stderr, through the observer's instruction; opens the complete URI with
// --browser CMD), then polls the token endpoint until the user answers. `oauth` error for
// access_denied, expired_token and the like, `timeout` when the user does not answer
// within min(expires_in, --redirect-timeout), `interrupted` on Ctrl-C.
[[nodiscard]] util::Result<TokenResponse> run_device_code(const FlowContext& context);

} // namespace oauthctl::oauth
