// SPDX-License-Identifier: MIT
#include "server/fhir/fhir_endpoint.hpp"

#include "server/access_token.hpp"
#include "server/fhir/search_query.hpp"
#include "server/fhir/user_access.hpp"
#include "server/verified_tokens.hpp"

#include <oauthctl/oauth/smart_scope.hpp>
#include <oauthctl/util/form.hpp>
#include <oauthctl/util/text.hpp>

#include <fmt/format.h>

#include <cctype>
#include <optional>

namespace oauthctl::server {

namespace {

using Json = nlohmann::json;

constexpr std::size_t k_default_count = SearchQuery{}.count;

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> out;
  while (true) {
    const auto at = text.find(separator);
    out.push_back(text.substr(0, at));
    if (at == std::string_view::npos) {
      return out;
    }
    text.remove_prefix(at + 1);
  }
}

// The scope a request needs, for the insufficient_scope challenge: v2 syntax.
std::string needed_scope(std::string_view type, oauth::Interaction interaction) {
  return fmt::format("system/{}.{}", type, interaction == oauth::Interaction::read ? "r" : "s");
}

// What a token may see of `type` for `interaction`, or nullopt when no scope covers it
// (SMART App Launch 2 §3.0.1): system/ scopes everything; user/ scopes what the user may
// access (user_patients: a Patient user their compartment, a Practitioner user their
// patients); patient/ scopes the compartment of the token's patient in context.
std::optional<PatientSet> visible_patients(const AppContext& context, const VerifiedToken& token,
                                           std::string_view type, oauth::Interaction interaction) {
  std::optional<PatientSet> visible;
  for (const auto& scope : token.scopes) {
    if (!scope.allows(type, interaction)) {
      continue;
    }
    if (scope.context == "system") {
      visible.emplace().everyone = true;
      return visible;
    }
    if (scope.context == "user") {
      if (!visible) {
        visible.emplace();
      }
      visible->add(user_patients(token.fhir_user, context.dataset.all("Patient")));
    } else if (scope.context == "patient" && !token.patient.empty()) {
      // A patient/ scope grants nothing until a patient is in context.
      if (!visible) {
        visible.emplace();
      }
      visible->ids.insert(token.patient);
    }
  }
  return visible;
}

// FHIR R4 §3.1.1.3.3 "Prefer: handling=strict": unknown search parameters are an error.
bool wants_strict_handling(const http::Headers& headers) {
  const auto prefer = headers.get("Prefer").value_or("");
  for (auto token : split(prefer, ',')) {
    while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) {
      token.remove_prefix(1);
    }
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) {
      token.remove_suffix(1);
    }
    if (util::ascii_lower(token) == "handling=strict") {
      return true;
    }
  }
  return false;
}

std::string json_string(const std::string& text) {
  return Json(text).dump(-1, ' ', false, Json::error_handler_t::replace);
}

// The search URL with the parameters that took effect, for the Bundle's links.
std::string search_link(const AppContext& context, std::string_view type, const SearchQuery& query,
                        std::optional<std::size_t> offset) {
  auto params = query.applied;
  if (offset) {
    params.emplace_back("_count", std::to_string(query.count));
    if (*offset > 0) {
      params.emplace_back("_offset", std::to_string(*offset));
    }
  }
  auto url = fmt::format("{}/{}", context.fhir_base, type);
  if (!params.empty()) {
    url += '?';
    url += util::form_encode(params);
  }
  return url;
}

// The Bundle entry that tells the client which parameters were left out (FHIR R4
// §3.1.1.3.3: "the server SHOULD return an OperationOutcome in the bundle").
std::string ignored_outcome_entry(const std::vector<std::string>& ignored) {
  Json issues = Json::array();
  for (const auto& name : ignored) {
    issues.push_back(
      {{"severity", "warning"},
       {"code", "not-supported"},
       {"diagnostics", fmt::format("search parameter {} is not supported; it was ignored", name)}});
  }
  const Json entry{{"resource", {{"resourceType", "OperationOutcome"}, {"issue", std::move(issues)}}},
                   {"search", {{"mode", "outcome"}}}};
  return entry.dump(-1, ' ', false, Json::error_handler_t::replace);
}

ServerResponse search(const AppContext& context, const ServerRequest& request, std::string_view type,
                      const PatientSet& visible) {
  const auto params = util::form_decode(request.query);
  if (!params) {
    return operation_outcome(400, "invalid", "the query string is malformed");
  }
  const auto query = read_search_query(type, *params);
  if (!query) {
    return operation_outcome(400, "invalid", query.error());
  }
  if (!query->ignored.empty() && wants_strict_handling(request.headers)) {
    return operation_outcome(400, "not-supported",
                             fmt::format("search parameter {} is not supported", query->ignored.front()));
  }
  std::vector<const FhirResource*> found;
  for (const auto& item : context.dataset.all(type)) {
    if (visible.contains(item.patient_id) && matches_search(item, *query)) {
      found.push_back(&item);
    }
  }
  const bool paged = query->count != k_default_count || query->offset > 0;
  std::string links = fmt::format(
    R"({{"relation":"self","url":{}}})",
    json_string(search_link(context, type, *query, paged ? std::optional(query->offset) : std::nullopt)));
  const auto first = std::min(query->offset, found.size());
  const auto last = query->summary_count ? first : std::min(found.size(), first + query->count);
  if (!query->summary_count && query->count > 0 && last < found.size()) {
    links += fmt::format(R"(,{{"relation":"next","url":{}}})",
                         json_string(search_link(context, type, *query, last)));
  }
  if (!query->summary_count && first > 0) {
    const auto previous = first > query->count ? first - query->count : 0;
    links += fmt::format(R"(,{{"relation":"previous","url":{}}})",
                         json_string(search_link(context, type, *query, previous)));
  }
  // Built from pre-serialised entries: no JSON tree per request.
  std::string body = fmt::format(R"({{"resourceType":"Bundle","type":"searchset","total":{},"link":[{}])",
                                 found.size(), links);
  if (query->summary_count && query->ignored.empty()) {
    body += '}';
    return raw_json_response(200, std::move(body), k_fhir_json);
  }
  body += R"(,"entry":[)";
  for (auto i = first; i < last; ++i) {
    if (i > first) {
      body += ',';
    }
    body += found[i]->entry_json;
  }
  if (!query->ignored.empty()) {
    if (last > first) {
      body += ',';
    }
    body += ignored_outcome_entry(query->ignored);
  }
  body += "]}";
  return raw_json_response(200, std::move(body), k_fhir_json);
}

// The answer for a resource that does not exist or that the token may not see: the same
// for both, so the status does not reveal which ids exist outside the token's reach.
ServerResponse not_known(std::string_view type, std::string_view id) {
  return operation_outcome(404, "not-found",
                           fmt::format("{}/{} is not known", type, json_string(std::string(id))));
}

} // namespace

ServerResponse operation_outcome(int status, std::string_view code, std::string_view diagnostics) {
  const Json outcome{
    {"resourceType", "OperationOutcome"},
    {"issue", Json::array({{{"severity", "error"}, {"code", code}, {"diagnostics", diagnostics}}})}};
  auto response =
    raw_json_response(status, outcome.dump(-1, ' ', false, Json::error_handler_t::replace), k_fhir_json);
  return response;
}

ServerResponse handle_fhir(const AppContext& context, const ServerRequest& request) {
  std::string_view rest = request.path;
  rest.remove_prefix(std::min<std::size_t>(rest.size(), 5)); // "/fhir"
  if (!rest.empty() && rest.front() == '/') {
    rest.remove_prefix(1);
  }
  const bool readable = request.method == "GET" || request.method == "HEAD";
  if (rest == "metadata") {
    if (!readable) {
      return operation_outcome(405, "not-supported", "metadata is read-only");
    }
    return raw_json_response(200, context.capability_json, k_fhir_json);
  }
  const auto parts = split(rest, '/');
  if (rest.empty() || parts.size() > 2 || parts[0].empty() || (parts.size() == 2 && parts[1].empty())) {
    return operation_outcome(404, "not-found", "no such FHIR endpoint");
  }

  const auto key_set = context.keys.current(); // one set for the whole request
  const BearerChecks checks{&key_set->verifier,
                            context.issuer,
                            {context.fhir_base, context.issuer},
                            context.now(),
                            request.client_certificate.get()};
  // Through the cache of verified tokens: the signature and claims are checked once per
  // token and key set; the certificate binding here and the revocation below every time.
  auto token = context.fhir_tokens->verify(request.headers, checks, key_set);
  if (!token) {
    auto response = operation_outcome(401, "login",
                                      token.error().description.empty() ? "a bearer token is required"
                                                                        : token.error().description);
    response.headers.set("WWW-Authenticate", token.error().www_authenticate);
    return response;
  }

  if (context.auth->is_revoked((*token)->jti)) {
    // A token issued from a replayed code or a revoked refresh family (RFC 6749 §4.1.2).
    auto response = operation_outcome(401, "login", "the token was revoked");
    response.headers.set(
      "WWW-Authenticate",
      fmt::format(R"(Bearer realm="{}", error="invalid_token", error_description="the token )"
                  R"(was revoked")",
                  k_realm));
    return response;
  }

  const auto type = parts[0];
  if (!context.dataset.supports(type)) {
    return operation_outcome(
      404, "not-supported",
      fmt::format("resource type {} is not supported",
                  Json(std::string(type)).dump(-1, ' ', false, Json::error_handler_t::replace)));
  }
  if (!readable) {
    return operation_outcome(405, "not-supported", "this server is read-only");
  }
  const auto interaction = parts.size() == 2 ? oauth::Interaction::read : oauth::Interaction::search;
  const auto visible = visible_patients(context, **token, type, interaction);
  if (!visible) {
    const auto needed = needed_scope(type, interaction);
    auto response = operation_outcome(
      403, "forbidden", fmt::format("the token's scopes do not allow this; it needs {}", needed));
    response.headers.set("WWW-Authenticate", insufficient_scope_challenge(needed));
    return response;
  }
  if (interaction == oauth::Interaction::search) {
    // A search is filtered to what the token may see, so it never reveals other patients'
    // resources and never fails just because other patients exist.
    return search(context, request, type, *visible);
  }
  const auto* item = context.dataset.find(type, parts[1]);
  if (item == nullptr || !visible->contains(item->patient_id)) {
    return not_known(type, parts[1]);
  }
  return raw_json_response(200, item->json, k_fhir_json);
}

} // namespace oauthctl::server
