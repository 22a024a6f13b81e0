// SPDX-License-Identifier: MIT
// `serve --simulate`: faults applied to finished responses, so the endpoints stay as they
// are and each fault is one small rewrite here (the route table calls apply_faults last).
#include "server/simulate.hpp"

#include <oauthctl/oauth/jwt.hpp>
#include <oauthctl/server/simulate.hpp>
#include <oauthctl/util/form.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace oauthctl::server {

namespace {

// clang-format off
constexpr std::array k_faults{
  FaultInfo{"no_cache_control", "token responses without Cache-Control: no-store (RFC 6749 §5.1)",
            "token.no-store"},
  FaultInfo{"expires_in_string", "expires_in sent as a JSON string (\"3600\") instead of a number",
            "token.expires-in-numeric"},
  FaultInfo{"unsupported_grant_as_invalid_request",
            "an unknown grant_type answered invalid_request instead of unsupported_grant_type",
            "token.unsupported-grant"},
  FaultInfo{"no_state", "the authorization response leaves out state (no CSRF protection for the client)",
            "authorization-code.state"},
  FaultInfo{"no_iss", "the authorization response leaves out iss although the metadata promises it (RFC 9207)",
            "authorization-code.iss"},
  FaultInfo{"plain_advertised", "the metadata offers PKCE plain beside S256 (SMART: SHALL NOT)",
            "discovery.pkce-methods"},
  FaultInfo{"smart_wrong_issuer", "the SMART configuration names another issuer than the OAuth metadata",
            "discovery.issuer-exact"},
  FaultInfo{"introspection_leaks", "introspecting an unknown token says more than {\"active\": false}",
            "introspection.unknown-token"},
  FaultInfo{"id_token_wrong_nonce", "id_tokens carry another nonce than the authorization request's",
            "oidc.id-token-claims"},
  FaultInfo{"id_token_wrong_aud", "id_tokens are issued for another audience than the client",
            "oidc.id-token-claims"},
  FaultInfo{"id_token_bad_signature", "id_tokens with a signature that does not verify",
            "oidc.id-token-signature,oidc.id-token-claims"},
};
// clang-format on

bool has(const std::vector<std::string>& faults, std::string_view name) {
  return std::find(faults.begin(), faults.end(), name) != faults.end();
}

bool is_authorization_redirect(const ServerRequest& request, const ServerResponse& response) {
  return (request.path == "/auth/authorize" || request.path == "/auth/login" ||
          request.path == "/auth/grant") &&
         response.status >= 300 && response.status < 400 && response.headers.get("Location").has_value();
}

// The redirect's query without `name`.
void drop_location_param(ServerResponse& response, std::string_view name) {
  const auto location = *response.headers.get("Location");
  const auto question = location.find('?');
  if (question == std::string::npos) {
    return;
  }
  auto fields =
    util::form_decode(std::string_view(location).substr(question + 1)).value_or(util::FormFields{});
  std::erase_if(fields, [&](const auto& field) { return field.first == name; });
  response.headers.set("Location", location.substr(0, question + 1) + util::form_encode(fields));
}

// The token response's id_token changed by `change` and signed again (or, for a bad
// signature, with one signature character changed).
void rewrite_id_token(const AppContext& context, ServerResponse& response,
                      const std::vector<std::string>& faults) {
  auto body = nlohmann::json::parse(response.body, nullptr, false);
  if (!body.is_object() || !body.contains("id_token") || !body["id_token"].is_string()) {
    return;
  }
  auto token = body["id_token"].get<std::string>();
  if (has(faults, "id_token_wrong_nonce") || has(faults, "id_token_wrong_aud")) {
    auto jwt = oauth::decode_jwt(token);
    if (!jwt) {
      return;
    }
    if (has(faults, "id_token_wrong_nonce")) {
      jwt->claims["nonce"] = "simulated-wrong-nonce";
    }
    if (has(faults, "id_token_wrong_aud")) {
      jwt->claims["aud"] = "simulated-other-client";
    }
    auto signed_again = context.key.sign(jwt->claims);
    if (!signed_again) {
      return;
    }
    token = std::move(*signed_again);
  }
  if (has(faults, "id_token_bad_signature")) {
    auto& c = token[token.size() - 5];
    c = c == 'A' ? 'B' : 'A';
  }
  body["id_token"] = token;
  response.body = body.dump();
}

} // namespace

std::span<const FaultInfo> fault_table() {
  return k_faults;
}

util::Result<std::vector<std::string>> parse_faults(std::string_view list) {
  std::vector<std::string> faults;
  while (!list.empty()) {
    const auto comma = list.find(',');
    const auto name = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    if (name.empty()) {
      continue;
    }
    if (std::none_of(k_faults.begin(), k_faults.end(), [&](const FaultInfo& f) { return f.name == name; })) {
      return util::fail(util::ErrorKind::usage,
                        fmt::format("unknown fault \"{}\" for --simulate (see --simulate list)", name));
    }
    faults.emplace_back(name);
  }
  return faults;
}

void apply_faults(const std::vector<std::string>& faults, const AppContext& context,
                  const ServerRequest& request, ServerResponse& response) {
  if (faults.empty()) {
    return;
  }
  if (request.path == "/auth/token") {
    if (has(faults, "no_cache_control")) {
      response.headers.set("Cache-Control", "private");
    }
    if (response.status == 200 && (has(faults, "expires_in_string"))) {
      auto body = nlohmann::json::parse(response.body, nullptr, false);
      if (body.is_object() && body.contains("expires_in") && body["expires_in"].is_number()) {
        body["expires_in"] = std::to_string(body["expires_in"].get<long long>());
        response.body = body.dump();
      }
    }
    if (response.status == 200) {
      rewrite_id_token(context, response, faults);
    }
    if (has(faults, "unsupported_grant_as_invalid_request") && response.status == 400) {
      auto body = nlohmann::json::parse(response.body, nullptr, false);
      if (body.is_object() && body.value("error", "") == "unsupported_grant_type") {
        body["error"] = "invalid_request";
        response.body = body.dump();
      }
    }
  }
  if (is_authorization_redirect(request, response)) {
    if (has(faults, "no_state")) {
      drop_location_param(response, "state");
    }
    if (has(faults, "no_iss")) {
      drop_location_param(response, "iss");
    }
  }
  if (has(faults, "plain_advertised") && request.path.find("/.well-known/") != std::string::npos) {
    auto body = nlohmann::json::parse(response.body, nullptr, false);
    if (body.is_object() && body.contains("code_challenge_methods_supported")) {
      body["code_challenge_methods_supported"].push_back("plain");
      response.body = body.dump();
    }
  }
  if (has(faults, "smart_wrong_issuer") && request.path.find("smart-configuration") != std::string::npos) {
    auto body = nlohmann::json::parse(response.body, nullptr, false);
    if (body.is_object()) {
      body["issuer"] = context.issuer + "/simulated-other-issuer";
      response.body = body.dump();
    }
  }
  if (has(faults, "introspection_leaks") && request.path == "/auth/introspect" && response.status == 200) {
    auto body = nlohmann::json::parse(response.body, nullptr, false);
    if (body == nlohmann::json{{"active", false}}) {
      body["token_type"] = "Bearer";
      response.body = body.dump();
    }
  }
}

} // namespace oauthctl::server
