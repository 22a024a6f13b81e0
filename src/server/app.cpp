// SPDX-License-Identifier: MIT
#include "server/app.hpp"

#include "server/auth/consent_list_page.hpp"
#include "server/endpoints/authorize_endpoint.hpp"
#include "server/endpoints/consents_endpoint.hpp"
#include "server/endpoints/device_endpoint.hpp"
#include "server/endpoints/device_verification.hpp"
#include "server/endpoints/introspection_endpoint.hpp"
#include "server/endpoints/login_endpoint.hpp"
#include "server/endpoints/metadata.hpp"
#include "server/endpoints/revocation_endpoint.hpp"
#include "server/endpoints/token_endpoint.hpp"
#include "server/endpoints/userinfo_endpoint.hpp"
#include "server/fhir/capability.hpp"
#include "server/fhir/fhir_endpoint.hpp"
#include "server/state/sqlite_state_store.hpp"
#include "server/state/state_unavailable.hpp"
#include "server/verified_tokens.hpp"

#include <chrono>

namespace oauthctl::server {

namespace {

ServerResponse method_not_allowed(std::string_view allow) {
  auto response = oauth_error(405, "invalid_request", "method not allowed");
  response.headers.set("Allow", std::string(allow));
  return response;
}

ServerResponse document(const ServerRequest& request, const std::string& json) {
  if (request.method != "GET" && request.method != "HEAD") {
    return method_not_allowed("GET, HEAD");
  }
  auto response = raw_json_response(200, json);
  response.headers.set("Cache-Control", "public, max-age=300");
  return response;
}

} // namespace

std::int64_t system_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
    .count();
}

util::Result<std::unique_ptr<AppContext>> make_app_context(std::string issuer, oauth::SigningKey key,
                                                           std::vector<RegisteredClient> clients,
                                                           std::vector<RegisteredUser> users, Clock now,
                                                           std::shared_ptr<state::StateStore> store) {
  if (!store) {
    auto memory = state::open_sqlite_state_store(state::k_sqlite_memory);
    if (!memory) {
      return tl::unexpected(memory.error());
    }
    store = std::move(*memory);
  }
  auto key_set = key_set_of(std::move(key));
  if (!key_set) {
    return tl::unexpected(key_set.error());
  }
  auto fhir_base = issuer + "/fhir";
  // One gate for client secrets and passwords (both are scrypt on the same cores), in the
  // cache every directory snapshot shares.
  auto cache = std::make_shared<CredentialCache>(std::make_shared<const HashGate>());
  auto& live = *store; // owned by the context from here on
  auto context = std::unique_ptr<AppContext>(new AppContext{
    std::move(store),
    issuer,
    fhir_base,
    SigningKeys(std::move(*key_set)),
    LiveDirectory(make_directory(std::move(clients), std::move(users), std::move(cache))),
    std::make_unique<AuthState>(live),
    FhirDataset(fhir_base),
    now ? std::move(now) : Clock(system_now),
    authorization_server_metadata(issuer).dump(),
    openid_configuration(issuer).dump(),
    smart_configuration(issuer).dump(),
    {},
    std::make_unique<DeviceGrants>(live, k_device_capacity, k_default_device_interval,
                                   k_default_device_lifetime),
    nullptr,
    std::make_unique<AssertionState>(live),
    std::make_shared<VerifiedTokens>(),
  });
  context->capability_json = capability_statement(issuer, context->dataset).dump();
  return context;
}

bool takes_long_body(std::string_view path) {
  return path == "/auth/token" || path == "/auth/introspect" || path == "/auth/revoke";
}

bool never_blocks(std::string_view path) {
  return path == "/fhir" || path.starts_with("/fhir/") || path.starts_with("/.well-known/") ||
         path == "/auth/jwks";
}

bool starts_on_event_loop(std::string_view path) {
  return never_blocks(path) || path == "/auth/token";
}

namespace {

ServerResponse route(const AppContext& context, const ServerRequest& request) {
  const auto& path = request.path;
  if (path == "/auth/token") {
    return request.method == "POST" ? handle_token(context, request) : method_not_allowed("POST");
  }
  if (path == "/auth/authorize") {
    return request.method == "GET" || request.method == "HEAD" ? handle_authorize(context, request)
                                                               : method_not_allowed("GET");
  }
  if (path == "/auth/login") {
    return request.method == "GET" || request.method == "POST" ? handle_login(context, request)
                                                               : method_not_allowed("GET, POST");
  }
  if (path == "/auth/grant") {
    return request.method == "GET" || request.method == "POST" ? handle_consent(context, request)
                                                               : method_not_allowed("GET, POST");
  }
  if (path == k_consents_path) {
    return request.method == "GET" || request.method == "HEAD" || request.method == "POST"
             ? handle_consents(context, request)
             : method_not_allowed("GET, POST");
  }
  if (path == "/auth/device") {
    return request.method == "POST" ? handle_device_authorization(context, request)
                                    : method_not_allowed("POST");
  }
  if (path == k_device_verification_path) {
    return request.method == "GET" || request.method == "HEAD" || request.method == "POST"
             ? handle_device_verification(context, request)
             : method_not_allowed("GET, POST");
  }
  if (path == "/auth/userinfo") {
    return request.method == "GET" || request.method == "POST" ? handle_userinfo(context, request)
                                                               : method_not_allowed("GET, POST");
  }
  if (path == "/auth/introspect") {
    return request.method == "POST" ? handle_introspect(context, request) : method_not_allowed("POST");
  }
  if (path == "/auth/revoke") {
    return request.method == "POST" ? handle_revoke(context, request) : method_not_allowed("POST");
  }
  if (path == "/Session") {
    return request.method == "DELETE" ? handle_delete_session(context, request)
                                      : method_not_allowed("DELETE");
  }
  if (path == "/.well-known/jwks.json" || path == "/auth/jwks") {
    return document(request, context.keys.current()->jwks_json);
  }
  if (path == "/.well-known/oauth-authorization-server") {
    return document(request, context.authorization_server_json);
  }
  if (path == "/.well-known/openid-configuration") {
    return document(request, context.openid_configuration_json);
  }
  // SMART App Launch §2.0.7: published under the FHIR base; the root copy helps clients
  // that were given the server URL.
  if (path == "/.well-known/smart-configuration" || path == "/fhir/.well-known/smart-configuration") {
    return document(request, context.smart_configuration_json);
  }
  if (path == "/fhir" || path.starts_with("/fhir/")) {
    return handle_fhir(context, request);
  }
  return oauth_error(404, "not_found", "no such endpoint");
}

} // namespace

ServerResponse handle_request(const AppContext& context, const ServerRequest& request) {
  try {
    return route(context, request);
  } catch (const state::StateUnavailable&) {
    // The database is gone or failing: say so and when to come back (RFC 6749 §5.2 has
    // temporarily_unavailable for the authorization endpoint; the same code serves every
    // endpoint here). Nothing was issued: each store call is its own transaction and the
    // failed one changed nothing.
    auto response = oauth_error(503, "temporarily_unavailable", "the server's state store is unavailable");
    response.headers.set("Retry-After", std::to_string(k_state_retry_after));
    return response;
  }
}

} // namespace oauthctl::server
