// SPDX-License-Identifier: MIT
#include "server/endpoints/token_endpoint.hpp"

#include "server/access_token.hpp"
#include "server/endpoints/client_assertion.hpp"
#include "server/endpoints/client_authentication.hpp"
#include "server/endpoints/device_endpoint.hpp"
#include "server/endpoints/token_params.hpp"
#include "server/endpoints/token_request.hpp"
#include "server/event_loop_guard.hpp"
#include "server/json_text.hpp"
#include "server/tls/client_certificate.hpp"

#include <oauthctl/oauth/grant_type.hpp>
#include <oauthctl/oauth/smart_scope.hpp>
#include <oauthctl/util/json_writer.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace oauthctl::server {

namespace {

std::string without_one_slash(std::string_view uri) {
  if (uri.size() > 1 && uri.back() == '/') {
    uri.remove_suffix(1);
  }
  return std::string(uri);
}

} // namespace

tl::expected<std::string, ServerResponse> pick_audience(const TokenRequest& request, std::string_view grant) {
  const auto audience = util::form_get(request.params, "audience");
  const auto resource = util::form_get(request.params, "resource");
  if (audience && resource && *audience != *resource) {
    return tl::unexpected(
      oauth_error(400, "invalid_request", "audience and resource name different targets"));
  }
  const auto& wanted = audience ? audience : resource;
  if (!wanted) {
    return request.context.fhir_base;
  }
  const auto target = without_one_slash(*wanted);
  if (target == request.context.fhir_base || target == request.context.issuer) {
    return target;
  }
  for (const auto& allowed : request.client.spec.settings(grant).audience) {
    if (allowed == *wanted || without_one_slash(allowed) == target) {
      return allowed;
    }
  }
  // RFC 8707 §2: invalid_target when the requested resource is not one we issue for.
  return tl::unexpected(
    oauth_error(400, "invalid_target",
                fmt::format("{} is not an audience this client may request", json_quoted(*wanted))));
}

namespace {

// RFC 6749 §3.3 and Aidbox: client_credentials tokens carry only `system/` scopes, each
// within the client's allowed list. Without a request, the client's allowed system scopes.
tl::expected<std::vector<std::string>, ServerResponse> pick_system_scopes(const TokenRequest& request) {
  const auto& allowed = request.client.spec.scopes;
  const auto requested_text = util::form_get(request.params, "scope");
  std::vector<std::string> granted;
  if (!requested_text || oauth::split_scopes(*requested_text).empty()) {
    if (!allowed) {
      // A Client without a scope list (as most Aidbox Clients are) may read everything.
      return std::vector<std::string>{"system/*.read"};
    }
    for (const auto& scope : *allowed) {
      const auto parsed = oauth::parse_smart_scope(scope);
      if (parsed && parsed->context == "system" &&
          std::find(granted.begin(), granted.end(), scope) == granted.end()) {
        granted.push_back(scope);
      }
    }
    return granted;
  }
  for (const auto& scope : oauth::split_scopes(*requested_text)) {
    const auto parsed = oauth::parse_smart_scope(scope);
    if (!parsed || parsed->context != "system") {
      return tl::unexpected(oauth_error(
        400, "invalid_scope",
        fmt::format("{}: client_credentials tokens carry only system/ scopes", json_quoted(scope))));
    }
    if (allowed && !scope_allowed(*allowed, scope, parsed)) {
      return tl::unexpected(oauth_error(
        400, "invalid_scope", fmt::format("{} is not allowed for this client", json_quoted(scope))));
    }
    if (std::find(granted.begin(), granted.end(), scope) == granted.end()) {
      granted.push_back(scope);
    }
  }
  return granted;
}

// RFC 6749 §4.4: the client acts on its own behalf.
ServerResponse client_credentials(const TokenRequest& request) {
  // Any authentication counts (secret, assertion, certificate); a client_id alone does not.
  if (request.method == PresentedMethod::none) {
    return invalid_client(request.method, "client_credentials needs a confidential client");
  }
  return issue_client_token(request);
}

} // namespace

ServerResponse issue_client_token(const TokenRequest& request) {
  auto audience = pick_audience(request, "client_credentials");
  if (!audience) {
    return std::move(audience.error());
  }
  auto scopes = pick_system_scopes(request);
  if (!scopes) {
    return std::move(scopes.error());
  }
  const auto lifetime = request.client.spec.settings("client_credentials")
                          .access_token_expiration.value_or(k_default_token_lifetime);
  const AccessTokenGrant grant{
    request.client.spec.id,        request.client.spec.id, *audience, *scopes, lifetime, {}, {},
    request.certificate_thumbprint};
  const auto token = issue_access_token(request.context.keys.current()->signer, request.context.issuer,
                                        request.context.now(), grant);
  if (!token) {
    return oauth_error(500, "server_error", "the token could not be signed");
  }
  auto response = raw_json_response(200, util::JsonObjectWriter()
                                           .string("access_token", *token)
                                           .string("token_type", "Bearer")
                                           .integer("expires_in", lifetime)
                                           .string("scope", oauth::join_scopes(*scopes))
                                           .finish());
  add_no_store(response);
  return response;
}

namespace {

using GrantHandler = ServerResponse (*)(const TokenRequest&);

struct GrantEntry {
  oauth::GrantType grant;
  GrantHandler handler; // null: known, not served yet
};

// The grants of DESIGN.md; later issues fill in the handlers.
constexpr GrantEntry k_grants[] = {
  {oauth::GrantType::client_credentials, client_credentials},
  {oauth::GrantType::authorization_code, authorization_code_grant},
  {oauth::GrantType::password, password_grant},
  {oauth::GrantType::refresh_token, refresh_token_grant},
  {oauth::GrantType::token_exchange, token_exchange_grant},
  {oauth::GrantType::device_code, device_code_grant},
  {oauth::GrantType::jwt_bearer, jwt_bearer_grant},
};

const GrantEntry* find_grant(std::string_view name) {
  // Only the RFC names are grant_type values: "token_exchange" is the CLI's name for
  // urn:ietf:params:oauth:grant-type:token-exchange, and "implicit" has no token request.
  const auto grant = oauth::parse_grant_type(name);
  if (!grant || name == "implicit" ||
      (name.find(':') == std::string_view::npos &&
       (*grant == oauth::GrantType::token_exchange || *grant == oauth::GrantType::device_code ||
        *grant == oauth::GrantType::jwt_bearer))) {
    return nullptr;
  }
  for (const auto& entry : k_grants) {
    if (entry.grant == *grant) {
      return &entry;
    }
  }
  return nullptr;
}

} // namespace

bool scope_allowed(const std::vector<std::string>& allowed, const std::string& requested,
                   const std::optional<oauth::SmartScope>& parsed) {
  for (const auto& entry : allowed) {
    if (entry == requested) {
      return true;
    }
    if (parsed) {
      const auto allowed_scope = oauth::parse_smart_scope(entry);
      if (allowed_scope && allowed_scope->covers(*parsed)) {
        return true;
      }
    }
  }
  return false;
}

ServerResponse handle_token(const AppContext& context, const ServerRequest& request) {
  const auto params = read_token_params(request);
  if (!params) {
    return oauth_error(400, "invalid_request", params.error());
  }
  const auto grant_name = util::form_get(*params, "grant_type");
  if (!grant_name || grant_name->empty()) {
    return oauth_error(400, "invalid_request", "grant_type is missing");
  }
  const auto* grant = find_grant(*grant_name);
  if (grant == nullptr || grant->handler == nullptr) {
    return oauth_error(
      400, "unsupported_grant_type",
      fmt::format("grant_type {} is not supported by this server", json_quoted(*grant_name)));
  }
  // The token endpoint starts on an event loop (app.cpp starts_on_event_loop). Only
  // client_credentials can finish there (no store call: a cached secret, an in-memory
  // signing key); the other grants read or write the store, so they go to a worker now
  // rather than after a client authentication that would be done again there.
  if (grant->grant != oauth::GrantType::client_credentials) {
    require_worker();
  }
  auto presented = read_client_credentials(request, *params);
  if (!presented) {
    return std::move(presented.error());
  }
  const bool jwt_bearer = grant->grant == oauth::GrantType::jwt_bearer;
  if (presented->client_id.empty() && jwt_bearer && presented->method == PresentedMethod::none) {
    // RFC 7523 §3.1: client_id is optional with this grant; the assertion's iss names the
    // client, and the grant checks the signature against that client's keys.
    presented->client_id = assertion_issuer(util::form_get(*params, "assertion").value_or(""));
  }
  if (presented->client_id.empty()) {
    return invalid_client(presented->method, "client authentication is required");
  }
  // One snapshot for the whole request (LiveDirectory): `client` points into it.
  const auto directory = context.directory.current();
  const auto* client = directory->clients.find(presented->client_id);
  if (client != nullptr && client->spec.uses_mutual_tls()) {
    auto method = authenticate_with_certificate(context, *client, *presented, request);
    if (!method) {
      return std::move(method.error());
    }
    presented->method = *method;
  } else if (presented->method == PresentedMethod::private_key_jwt) {
    auto authenticated = authenticate_with_assertion(context, *directory, *presented);
    if (!authenticated) {
      return std::move(authenticated.error());
    }
    client = *authenticated;
  } else if (presented->secret) {
    const auto check = directory->clients.authenticate(presented->client_id, *presented->secret);
    if (check == SecretCheck::overloaded) {
      return overloaded_error();
    }
    if (check != SecretCheck::valid) {
      return invalid_client(presented->method, "unknown client or wrong secret");
    }
  } else if (client == nullptr || client->is_confidential() || (client->has_keys() && !jwt_bearer)) {
    // A confidential client must authenticate (RFC 6749 §3.2.1); say nothing about which.
    return invalid_client(presented->method, "unknown client or missing secret");
  }
  const auto grant_text = oauth::to_string(grant->grant);
  if (!client->spec.allows_grant(grant_text)) {
    return oauth_error(400, "unauthorized_client",
                       fmt::format("this client may not use the {} grant", grant_text));
  }
  // RFC 8705 §3: a client registered for bound tokens gets them bound to the certificate
  // of this connection, and none without one. A refresh without one is the refresh grant's
  // to refuse (invalid_grant: the refresh token is bound, RFC 8705 §4).
  std::string thumbprint;
  if (client->spec.binds_tokens_to_certificate()) {
    if (!request.client_certificate && grant->grant != oauth::GrantType::refresh_token) {
      return oauth_error(400, "invalid_request",
                         "this client's access tokens are bound to its TLS client certificate (RFC 8705 "
                         "§3): connect over TLS with it");
    }
    if (request.client_certificate) {
      thumbprint = certificate_thumbprint(request.client_certificate->der);
    }
  }
  return grant->handler(TokenRequest{context, *directory, *params, *client, presented->method,
                                     request.client_address, std::move(thumbprint)});
}

std::vector<std::string> served_grant_types() {
  std::vector<std::string> names;
  for (const auto& entry : k_grants) {
    if (entry.handler == nullptr) {
      continue;
    }
    // find_grant takes only the RFC values: the URN for the extension grants.
    switch (entry.grant) {
      case oauth::GrantType::token_exchange:
        names.emplace_back("urn:ietf:params:oauth:grant-type:token-exchange");
        break;
      case oauth::GrantType::device_code:
        names.emplace_back("urn:ietf:params:oauth:grant-type:device_code");
        break;
      case oauth::GrantType::jwt_bearer:
        names.emplace_back("urn:ietf:params:oauth:grant-type:jwt-bearer");
        break;
      default:
        names.emplace_back(oauth::to_string(entry.grant));
    }
  }
  names.emplace_back("implicit"); // response_type=token at /auth/authorize
  return names;
}

} // namespace oauthctl::server
