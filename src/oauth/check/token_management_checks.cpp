// SPDX-License-Identifier: MIT
// The introspection (RFC 7662) and revocation (RFC 7009) groups.
#include "oauth/check/checks.hpp"

#include <oauthctl/oauth/client_auth.hpp>
#include <oauthctl/oauth/fhir_client.hpp>
#include <oauthctl/oauth/grants.hpp>
#include <oauthctl/oauth/token_management.hpp>

#include <fmt/format.h>

namespace oauthctl::oauth::check {

namespace {

std::string introspection_blocker(Context& context) {
  if (!context.has_endpoint("introspection_endpoint")) {
    return "no introspection_endpoint in the metadata";
  }
  if (!context.has_client_credentials()) {
    return "no client credentials to call it with";
  }
  return {};
}

std::string revocation_blocker(Context& context) {
  if (!context.has_endpoint("revocation_endpoint")) {
    return "no revocation_endpoint in the metadata";
  }
  if (!context.has_client_credentials() ||
      !context.advertises("grant_types_supported", "client_credentials")) {
    return "no client_credentials token to revoke";
  }
  return {};
}

// A token of its own, so revoking it spoils no other check.
util::Result<TokenResponse> own_token(Context& context) {
  auto config = context.config();
  config.scope = context.client_scope();
  const auto response = context.post_token(client_credentials_form(config));
  if (!response) {
    return tl::unexpected(response.error());
  }
  return parse_token_response(*response);
}

// Introspection's raw answer for `token`, authenticated as the client.
util::Result<http::Response> introspect_raw(Context& context, const std::string& token) {
  util::FormFields form{{"token", token}};
  http::Request request;
  request.method = "POST";
  request.url = context.metadata().introspection_endpoint;
  if (auto ok = apply_client_auth(context.config(), context.metadata().token_endpoint, form, request.headers);
      !ok) {
    return tl::unexpected(ok.error());
  }
  request.headers.set("Content-Type", "application/x-www-form-urlencoded");
  request.headers.set("Accept", "application/json");
  request.body = util::form_encode(form);
  return context.client().send(request);
}

} // namespace

Outcome check_introspection_active(Context& context) {
  if (const auto blocker = introspection_blocker(context); !blocker.empty()) {
    return skipped(blocker);
  }
  const auto& token = context.client_token();
  if (!token) {
    return skipped(fmt::format("no client token to introspect: {}", util::describe(token.error())));
  }
  const auto state =
    introspect_token(context.client(), context.config(), context.metadata().introspection_endpoint,
                     token->access_token, "access_token");
  if (!state) {
    return failed(util::describe(state.error()));
  }
  if (!state->active) {
    return failed("a fresh access token is reported inactive");
  }
  std::string missing;
  for (const char* field : {"scope", "client_id", "exp"}) {
    if (!state->raw.contains(field)) {
      missing += (missing.empty() ? "" : ", ") + std::string(field);
    }
  }
  if (!missing.empty()) {
    return warned(fmt::format("active, without {}", missing));
  }
  return passed("active, with scope, client_id and exp");
}

Outcome check_introspection_unknown(Context& context) {
  if (const auto blocker = introspection_blocker(context); !blocker.empty()) {
    return skipped(blocker);
  }
  const auto response = introspect_raw(context, "oauthctl-check-unknown-token");
  if (!response) {
    return failed(response.error().message);
  }
  if (response->status != 200) {
    return failed(fmt::format("expected HTTP 200, got {}", describe_answer(*response)));
  }
  const auto body = nlohmann::json::parse(response->body, nullptr, false);
  if (body != nlohmann::json{{"active", false}}) {
    return failed(
      fmt::format("expected exactly {{\"active\": false}}, got {}", response->body.substr(0, 200)));
  }
  return passed("exactly {\"active\": false}");
}

Outcome check_revocation_unknown(Context& context) {
  if (const auto blocker = revocation_blocker(context); !blocker.empty()) {
    return skipped(blocker);
  }
  const auto ok = revoke_token(context.client(), context.config(), context.metadata().revocation_endpoint,
                               "oauthctl-check-unknown-token", "");
  if (!ok) {
    return failed(fmt::format("an unknown token must be answered HTTP 200 (RFC 7009 §2.2): {}",
                              util::describe(ok.error())));
  }
  return passed("HTTP 200");
}

Outcome check_revocation_revokes(Context& context) {
  if (const auto blocker = revocation_blocker(context); !blocker.empty()) {
    return skipped(blocker);
  }
  const auto token = own_token(context);
  if (!token) {
    return failed(fmt::format("no token to revoke: {}", util::describe(token.error())));
  }
  const auto ok = revoke_token(context.client(), context.config(), context.metadata().revocation_endpoint,
                               token->access_token, "access_token");
  if (!ok) {
    return failed(fmt::format("revocation refused: {}", util::describe(ok.error())));
  }
  std::string seen = "revoked";
  if (introspection_blocker(context).empty()) {
    const auto state = introspect_token(context.client(), context.config(),
                                        context.metadata().introspection_endpoint, token->access_token, "");
    if (!state) {
      return failed(fmt::format("introspection after revocation: {}", util::describe(state.error())));
    }
    if (state->active) {
      return failed("introspection still says active after revocation");
    }
    seen += ", then inactive";
  }
  const auto resource =
    fhir_get(context.client(), context.fhir_base(), "Patient?_count=1", token->access_token);
  if (resource) {
    return failed(fmt::format("{} still accepts the revoked token", context.fhir_base()));
  }
  if (resource.error().http_status == 401) {
    seen += ", then 401 at FHIR";
  }
  return passed(seen);
}

} // namespace oauthctl::oauth::check
