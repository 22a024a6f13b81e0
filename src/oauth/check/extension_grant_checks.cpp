// SPDX-License-Identifier: MIT
// Grants a server may advertise: token exchange (RFC 8693) and device authorization
// (RFC 8628).
#include "oauth/check/checks.hpp"

#include <oauthctl/oauth/client_auth.hpp>

#include <fmt/format.h>

namespace oauthctl::oauth::check {

namespace {

constexpr std::string_view k_token_exchange = "urn:ietf:params:oauth:grant-type:token-exchange";
constexpr std::string_view k_device_code = "urn:ietf:params:oauth:grant-type:device_code";
constexpr std::string_view k_access_token_type = "urn:ietf:params:oauth:token-type:access_token";

} // namespace

Outcome check_token_exchange(Context& context) {
  if (!context.advertises("grant_types_supported", k_token_exchange)) {
    return skipped("no token-exchange in grant_types_supported");
  }
  if (!context.has_client_credentials()) {
    return skipped("no client credentials");
  }
  const auto& subject = context.client_token();
  if (!subject) {
    return skipped(fmt::format("no subject token: {}", util::describe(subject.error())));
  }
  const auto response = context.post_token({{"grant_type", std::string(k_token_exchange)},
                                            {"subject_token", subject->access_token},
                                            {"subject_token_type", std::string(k_access_token_type)}});
  if (!response) {
    return failed(response.error().message);
  }
  const auto token = parse_token_response(*response);
  if (!token) {
    return failed(fmt::format("exchange refused: {}", describe_answer(*response)));
  }
  if (token->issued_token_type.empty()) {
    return failed("no issued_token_type (RFC 8693 §2.2.1 REQUIRED)");
  }
  return passed("issued " + token->issued_token_type);
}

Outcome check_device_authorization(Context& context) {
  if (!context.has_endpoint("device_authorization_endpoint")) {
    return skipped("no device_authorization_endpoint");
  }
  if (!context.advertises("grant_types_supported", k_device_code)) {
    return skipped("no device_code in grant_types_supported");
  }
  if (!context.has_client_credentials()) {
    return skipped("no client credentials");
  }
  util::FormFields form;
  http::Request request;
  request.method = "POST";
  request.url = context.metadata().device_authorization_endpoint;
  if (auto ok = apply_client_auth(context.config(), context.metadata().token_endpoint, form, request.headers);
      !ok) {
    return failed(ok.error().message);
  }
  request.headers.set("Content-Type", "application/x-www-form-urlencoded");
  request.headers.set("Accept", "application/json");
  request.body = util::form_encode(form);
  const auto response = context.client().send(request);
  if (!response) {
    return failed(response.error().message);
  }
  const auto body = nlohmann::json::parse(response->body, nullptr, false);
  if (response->status != 200 || !body.is_object()) {
    return failed(fmt::format("device authorization refused: {}", describe_answer(*response)));
  }
  for (const char* field : {"device_code", "user_code", "verification_uri", "expires_in"}) {
    if (!body.contains(field)) {
      return failed(fmt::format("the answer lacks {} (RFC 8628 §3.2)", field));
    }
  }
  if (!body["device_code"].is_string()) {
    return failed("device_code is not a string");
  }
  // RFC 8628 §3.5: polling before the user acts answers authorization_pending.
  const auto poll = context.post_token(
    {{"grant_type", std::string(k_device_code)}, {"device_code", body["device_code"].get<std::string>()}});
  if (!poll) {
    return failed(poll.error().message);
  }
  if (poll->status != 400 || oauth_error_code(*poll) != "authorization_pending") {
    return failed(fmt::format("polling before approval: expected HTTP 400 authorization_pending, got {}",
                              describe_answer(*poll)));
  }
  return passed("device_code issued; polling answers authorization_pending");
}

} // namespace oauthctl::oauth::check
