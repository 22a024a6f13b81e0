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
std::string fhir_blocker(Context& context) {
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
  if (const auto reason = fhir_blocker(context); !reason.empty()) {
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
  if (const auto reason = fhir_blocker(context); !reason.empty()) {
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
  if (const auto reason = fhir_blocker(context); !reason.empty()) {
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

namespace {

// The ids of the Bundle in `response` (a search result); empty when it is not one.
std::vector<std::string> bundle_ids(const http::Response& response, std::string_view type) {
  std::vector<std::string> ids;
  const auto bundle = nlohmann::json::parse(response.body, nullptr, false);
  if (!bundle.is_object() || !bundle.contains("entry") || !bundle["entry"].is_array()) {
    return ids;
  }
  for (const auto& entry : bundle["entry"]) {
    const auto resource =
      entry.is_object() ? entry.value("resource", nlohmann::json::object()) : nlohmann::json();
    if (string_member(resource, "resourceType") == type) {
      ids.push_back(string_member(resource, "id"));
    }
  }
  return ids;
}

} // namespace

Outcome check_fhir_patient_compartment(Context& context) {
  if (const auto reason = token_blocker(context); !reason.empty()) {
    return skipped(reason);
  }
  if (const auto reason = context.browser_flow_blocker(); !reason.empty()) {
    return skipped(reason);
  }
  const auto& flow = context.code_flow();
  if (!flow) {
    return failed(fmt::format("no code flow: {}", util::describe(flow.error())));
  }
  const auto& scope = flow->token.scope.empty() ? flow->trip.request.scope : flow->token.scope;
  if (scope.find("patient/") == std::string::npos) {
    return skipped(fmt::format("the code flow's token has no patient/ scope ({})", scope));
  }
  const auto patient = string_member(flow->token.raw, "patient");
  if (patient.empty()) {
    return failed("a patient/ scope was granted without the patient in the token response (SMART App Launch "
                  "2.0 §2.0.8)");
  }
  // Another patient, found with the client's system/ token.
  const auto all = get(context, "Patient?_count=50", context.client_token()->access_token);
  if (!all || all->status != 200) {
    return skipped("the client's token cannot list patients to find a second one");
  }
  std::string other;
  for (const auto& id : bundle_ids(*all, "Patient")) {
    if (!id.empty() && id != patient) {
      other = id;
      break;
    }
  }
  if (other.empty()) {
    return skipped("the FHIR server holds no second patient to test the compartment with");
  }
  const auto& token = flow->token.access_token;
  const auto own = get(context, "Patient/" + patient, token);
  if (!own || own->status != 200) {
    return failed(fmt::format("the token cannot read its own Patient/{}: {}", patient,
                              own ? fmt::format("HTTP {}", own->status) : own.error().message));
  }
  const auto read = get(context, "Patient/" + other, token);
  if (!read) {
    return failed(read.error().message);
  }
  if (read->status == 200) {
    return failed(fmt::format("a token for Patient/{} read Patient/{}", patient, other));
  }
  const auto search = get(context, "Observation?patient=" + other, token);
  if (!search) {
    return failed(search.error().message);
  }
  if (search->status == 200 && !bundle_ids(*search, "Observation").empty()) {
    return failed(fmt::format("a token for Patient/{} found Observations of Patient/{}", patient, other));
  }
  return passed(fmt::format("Patient/{} readable; Patient/{} HTTP {}; its Observations: {}", patient, other,
                            read->status,
                            search->status == 200 ? "none found" : fmt::format("HTTP {}", search->status)));
}

} // namespace oauthctl::oauth::check
