// SPDX-License-Identifier: MIT
#include "server/endpoints/device_endpoint.hpp"

#include "server/endpoints/client_authentication.hpp"
#include "server/endpoints/token_params.hpp"
#include "server/endpoints/token_request.hpp"
#include "server/json_text.hpp"

#include <oauthctl/oauth/smart_scope.hpp>
#include <oauthctl/util/form.hpp>

#include <fmt/format.h>

namespace oauthctl::server {

namespace {

using Json = nlohmann::json;

// The requested scopes, checked as /auth/authorize checks a user's: no system/ scopes
// (those are for backend services), each within the client's allowed list.
tl::expected<std::vector<std::string>, ServerResponse> pick_user_scopes(const RegisteredClient& client,
                                                                        const util::FormFields& params) {
  std::vector<std::string> scopes;
  for (const auto& scope : oauth::split_scopes(util::form_get(params, "scope").value_or(""))) {
    const auto parsed = oauth::parse_smart_scope(scope);
    if (parsed && parsed->context == "system") {
      return tl::unexpected(oauth_error(400, "invalid_scope",
                                        fmt::format("{} is for backend services only", json_quoted(scope))));
    }
    if (client.spec.scopes && !scope_allowed(*client.spec.scopes, scope, parsed)) {
      return tl::unexpected(oauth_error(
        400, "invalid_scope", fmt::format("{} is not allowed for this client", json_quoted(scope))));
    }
    if (!has_scope(scopes, scope)) {
      scopes.push_back(scope);
    }
  }
  return scopes;
}

} // namespace

ServerResponse handle_device_authorization(const AppContext& context, const ServerRequest& request) {
  const auto params = read_token_params(request);
  if (!params) {
    return oauth_error(400, "invalid_request", params.error());
  }
  // RFC 8628 §3.1: the client authenticates as RFC 6749 §3.2.1 says for the token endpoint
  // (secret, private_key_jwt, or client_id alone for a public client).
  const auto directory = context.directory.current(); // holds authenticated->client
  auto authenticated = authenticate_client(context, *directory, request, *params, PublicClients::allowed);
  if (!authenticated) {
    return std::move(authenticated.error());
  }
  const auto* client = authenticated->client;
  if (!client->spec.allows_grant("device_code")) {
    return oauth_error(400, "unauthorized_client", "this client may not use the device_code grant");
  }
  auto scopes = pick_user_scopes(*client, *params);
  if (!scopes) {
    return std::move(scopes.error());
  }
  auto& device = *context.device;
  const auto issued = device.start({client->spec.id, std::move(*scopes), 0}, context.now());
  if (!issued) {
    auto response = oauth_error(503, "temporarily_unavailable", "too many device authorizations are pending");
    response.headers.set("Retry-After", "60");
    return response;
  }
  const auto verification_uri = context.issuer + std::string(k_device_verification_path);
  auto response =
    json_response(200, Json{{"device_code", issued->device_code},
                            {"user_code", issued->user_code},
                            {"verification_uri", verification_uri},
                            {"verification_uri_complete",
                             verification_uri + "?user_code=" + util::percent_encode(issued->user_code)},
                            {"expires_in", device.lifetime()},
                            {"interval", device.interval()}});
  add_no_store(response);
  return response;
}

ServerResponse device_code_grant(const TokenRequest& request) {
  const auto device_code = util::form_get(request.params, "device_code");
  if (!device_code || device_code->empty()) {
    return oauth_error(400, "invalid_request", "device_code is missing");
  }
  DeviceApproval approval;
  switch (
    request.context.device->poll(*device_code, request.client.spec.id, request.context.now(), approval)) {
    case DevicePoll::approved:
      break;
    case DevicePoll::pending:
      return oauth_error(400, "authorization_pending", "the user has not answered yet");
    case DevicePoll::slow_down:
      return oauth_error(400, "slow_down", "polled too soon; the interval is now 5 seconds longer");
    case DevicePoll::denied:
      return oauth_error(400, "access_denied", "the user denied the request");
    case DevicePoll::expired:
      return oauth_error(400, "expired_token", "the device code has expired; start again");
    case DevicePoll::unknown:
      return oauth_error(400, "invalid_grant", "the device code is not valid for this client");
  }
  const auto* user = request.directory.users.find(approval.user_id);
  if (user == nullptr) {
    return oauth_error(400, "invalid_grant", "the user who approved this device no longer exists");
  }
  const UserGrant grant{request.client, *user, approval.scopes, approval.auth_time, {}, "device_code"};
  return respond_with_user_tokens(request, grant, {}).response;
}

} // namespace oauthctl::server
