// SPDX-License-Identifier: MIT
// The fhir group: the resource server behind the authorization server (RFC 6750 §3.1,
// SMART App Launch 2.0 scopes), at --fhir-url or <server>/fhir.
#include "oauth/check/checks.hpp"

#include <oauthctl/oauth/grants.hpp>
#include <oauthctl/util/base64url.hpp>

#include <fmt/format.h>

namespace oauthctl::oauth::check {

namespace {

constexpr std::string_view k_probe = "Patient?_count=1";

util::Result<http::Response> get(Context& context, std::string_view path, const std::string& token) {
  http::Request request;
  request.url = context.fhir_base() + "/" + std::string(path);
  request.headers.set("Accept", "application/fhir+json");
  if (!token.empty()) {
    request.headers.set("Authorization", "Bearer " + token);
  }
  return context.client().send(request);
}

// Why the FHIR checks cannot run: no FHIR server answers its CapabilityStatement.
std::string blocker(Context& context) {
  const auto response = get(context, "metadata", "");
  if (!response) {
    return fmt::format("no FHIR server at {} ({})", context.fhir_base(), response.error().message);
  }
  if (response->status != 200 && response->status != 401) {
    return fmt::format("no FHIR server at {} (metadata: HTTP {}); give --fhir-url", context.fhir_base(),
                       response->status);
  }
  return {};
}

// The client's token for the FHIR checks, or why there is none.
std::string token_blocker(Context& context) {
  if (const auto reason = blocker(context); !reason.empty()) {
    return reason;
  }
  if (!context.has_client_credentials() ||
      !context.advertises("grant_types_supported", "client_credentials")) {
    return "no client_credentials token to call FHIR with";
  }
  if (!context.client_token()) {
    return fmt::format("no client token: {}", util::describe(context.client_token().error()));
  }
  return {};
}

Outcome expect_401(const util::Result<http::Response>& response, std::string_view what) {
  if (!response) {
    return failed(fmt::format("{}: {}", what, response.error().message));
  }
  if (response->status != 401) {
    return failed(fmt::format("{}: expected HTTP 401, got HTTP {}", what, response->status));
  }
  const auto challenge = response->headers.get("WWW-Authenticate").value_or("");
  if (challenge.rfind("Bearer", 0) != 0) {
    return warned(
      fmt::format("{}: HTTP 401 without a Bearer WWW-Authenticate challenge (RFC 6750 §3)", what));
  }
  return passed(fmt::format("{}: HTTP 401", what));
}

bool is_jwt(const std::string& token) {
  return std::count(token.begin(), token.end(), '.') == 2;
}

} // namespace

Outcome check_fhir_without_token(Context& context) {
  if (const auto reason = blocker(context); !reason.empty()) {
    return skipped(reason);
  }
  return expect_401(get(context, k_probe, ""), "no token");
}

Outcome check_fhir_with_token(Context& context) {
  if (const auto reason = token_blocker(context); !reason.empty()) {
    return skipped(reason);
  }
  const auto response = get(context, k_probe, context.client_token()->access_token);
  if (!response) {
    return failed(response.error().message);
  }
  if (response->status != 200) {
    return failed(
      fmt::format("the client's token (scope {}) got HTTP {}", context.client_scope(), response->status));
  }
  return passed("HTTP 200 with the client's token");
}

Outcome check_fhir_tampered_token(Context& context) {
  if (const auto reason = token_blocker(context); !reason.empty()) {
    return skipped(reason);
  }
  auto token = context.client_token()->access_token;
  // Change one character in the middle (a JWT's payload), keeping it base64url.
  auto& c = token[token.size() / 2];
  c = c == 'A' ? 'B' : 'A';
  return expect_401(get(context, k_probe, token), "one character changed");
}

Outcome check_fhir_alg_none(Context& context) {
  if (const auto reason = token_blocker(context); !reason.empty()) {
    return skipped(reason);
  }
  const auto& token = context.client_token()->access_token;
  if (!is_jwt(token)) {
    return skipped("the access token is opaque, not a JWT");
  }
  const auto first_dot = token.find('.');
  const auto second_dot = token.find('.', first_dot + 1);
  const auto header = util::base64url_encode(R"({"alg":"none","typ":"JWT"})");
  const auto forged = header + token.substr(first_dot, second_dot - first_dot) + ".";
  return expect_401(get(context, k_probe, forged), "alg none with the same claims");
}

Outcome check_fhir_outside_scope(Context& context) {
  if (const auto reason = blocker(context); !reason.empty()) {
    return skipped(reason);
  }
  std::string narrow;
  for (const char* scope : {"system/Patient.rs", "system/Patient.read"}) {
    if (context.advertises("scopes_supported", scope)) {
      narrow = scope;
      break;
    }
  }
  if (narrow.empty() || !context.has_client_credentials() ||
      !context.advertises("grant_types_supported", "client_credentials")) {
    return skipped("no system/Patient.rs or .read in scopes_supported to narrow a client token to");
  }
  auto config = context.config();
  config.scope = narrow;
  const auto issued = context.post_token(client_credentials_form(config));
  if (!issued) {
    return failed(issued.error().message);
  }
  const auto token = parse_token_response(*issued);
  if (!token) {
    return failed(fmt::format("no token for {}: {}", narrow, describe_answer(*issued)));
  }
  const auto response = get(context, "Observation?_count=1", token->access_token);
  if (!response) {
    return failed(response.error().message);
  }
  if (response->status != 403) {
    return failed(
      fmt::format("a {} token read Observation: expected HTTP 403, got HTTP {}", narrow, response->status));
  }
  return passed(fmt::format("a {} token gets HTTP 403 for Observation", narrow));
}

} // namespace oauthctl::oauth::check
