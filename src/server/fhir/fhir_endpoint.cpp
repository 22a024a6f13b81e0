// SPDX-License-Identifier: MIT
#include "server/fhir/fhir_endpoint.hpp"

#include "server/access_token.hpp"

#include <oauthctl/oauth/smart_scope.hpp>
#include <oauthctl/util/form.hpp>

#include <fmt/format.h>

#include <cctype>
#include <charconv>

namespace oauthctl::server {

namespace {

using Json = nlohmann::json;

constexpr std::size_t k_default_count = 50;
constexpr std::size_t k_max_count = 1000;

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

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

// system/ scopes grant access to everything of their types; user/ scopes are treated the
// same way (this mock server has no per-user access rules). patient/ scopes grant access
// only inside the token's patient compartment (SMART App Launch §3.0.1): the Patient
// itself and Observations whose subject it is. A read outside the compartment is 403; a
// search is filtered to the compartment (see search()), so it never reveals other
// patients' resources and never fails just because other patients exist.
enum class Access { none, all, compartment };

Access scopes_allow(const VerifiedToken& token, std::string_view type, oauth::Interaction interaction) {
  Access access = Access::none;
  for (const auto& scope : token.scopes) {
    if (!scope.allows(type, interaction)) {
      continue;
    }
    if (scope.context == "system" || scope.context == "user") {
      return Access::all;
    }
    if (scope.context == "patient" && !token.patient.empty()) {
      access = Access::compartment;
    }
  }
  return access;
}

bool in_compartment(const FhirResource& item, const std::string& patient) {
  return item.patient_id == patient;
}

// A reference search value: "pt-1", "Patient/pt-1" or "<base>/Patient/pt-1".
std::string reference_id(std::string_view value) {
  const auto slash = value.rfind('/');
  return std::string(slash == std::string_view::npos ? value : value.substr(slash + 1));
}

struct SearchFilter {
  std::vector<std::string> ids;      // _id: any of
  std::vector<std::string> names;    // name: each must match (AND)
  std::vector<std::string> patients; // patient/subject: any of
  std::vector<std::string> codes;    // code: any of, "system|code" or "code"
  std::size_t count = k_default_count;
};

tl::expected<SearchFilter, std::string> read_filter(std::string_view type, const util::FormFields& params) {
  SearchFilter filter;
  for (const auto& [name, value] : params) {
    if (name == "_id") {
      for (const auto id : split(value, ',')) {
        filter.ids.emplace_back(id);
      }
    } else if (name == "_count") {
      std::size_t count = 0;
      const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), count);
      if (error != std::errc{} || end != value.data() + value.size()) {
        return tl::unexpected(std::string("_count must be a non-negative integer"));
      }
      filter.count = std::min(count, k_max_count);
    } else if (name == "name" && type == "Patient") {
      filter.names.push_back(lower(value));
    } else if ((name == "patient" || name == "subject") && type == "Observation") {
      for (const auto reference : split(value, ',')) {
        filter.patients.push_back(reference_id(reference));
      }
    } else if (name == "code" && type == "Observation") {
      for (const auto code : split(value, ',')) {
        filter.codes.emplace_back(code);
      }
    }
    // FHIR R4 §3.1.1.3.3: unknown parameters are ignored under the default lenient handling.
  }
  return filter;
}

bool any_of(const std::vector<std::string>& wanted, const std::string& value) {
  return wanted.empty() || std::find(wanted.begin(), wanted.end(), value) != wanted.end();
}

bool matches(const FhirResource& item, const SearchFilter& filter) {
  if (!any_of(filter.ids, item.id) || !any_of(filter.patients, item.patient_id)) {
    return false;
  }
  for (const auto& name : filter.names) {
    // FHIR string search matches from the start of a name part; we are more lenient
    // and match any substring, case-insensitively.
    if (item.names.find(name) == std::string::npos) {
      return false;
    }
  }
  if (!filter.codes.empty()) {
    bool found = false;
    for (const auto& code : filter.codes) {
      const auto token = code.find('|') == std::string::npos ? "|" + code + " " : " " + code + " ";
      found = found || item.codes.find(token) != std::string::npos;
    }
    if (!found) {
      return false;
    }
  }
  return true;
}

ServerResponse search(const AppContext& context, const ServerRequest& request, std::string_view type,
                      const std::string& compartment) {
  const auto params = util::form_decode(request.query);
  if (!params) {
    return operation_outcome(400, "invalid", "the query string is malformed");
  }
  const auto filter = read_filter(type, *params);
  if (!filter) {
    return operation_outcome(400, "invalid", filter.error());
  }
  std::vector<const FhirResource*> found;
  for (const auto& item : context.dataset.all(type)) {
    if (matches(item, *filter) && (compartment.empty() || in_compartment(item, compartment))) {
      found.push_back(&item);
    }
  }
  auto self = fmt::format("{}/{}", context.fhir_base, type);
  if (!request.query.empty()) {
    self += '?';
    self += request.query;
  }
  // Built from pre-serialised entries: no JSON tree per request.
  std::string body =
    fmt::format(R"({{"resourceType":"Bundle","type":"searchset","total":{},"link":[)"
                R"({{"relation":"self","url":{}}}],"entry":[)",
                found.size(), Json(self).dump(-1, ' ', false, Json::error_handler_t::replace));
  const auto shown = std::min(found.size(), filter->count);
  for (std::size_t i = 0; i < shown; ++i) {
    if (i > 0) {
      body += ',';
    }
    body += found[i]->entry_json;
  }
  body += "]}";
  return raw_json_response(200, std::move(body), k_fhir_json);
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

  const BearerChecks checks{
    &context.verifier, context.issuer, {context.fhir_base, context.issuer}, context.now()};
  auto token = verify_bearer(request.headers, checks);
  if (!token) {
    auto response = operation_outcome(401, "login",
                                      token.error().description.empty() ? "a bearer token is required"
                                                                        : token.error().description);
    response.headers.set("WWW-Authenticate", token.error().www_authenticate);
    return response;
  }

  if (context.auth->is_revoked(token->jti)) {
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
  const auto access = scopes_allow(*token, type, interaction);
  if (access == Access::none) {
    const auto needed = needed_scope(type, interaction);
    auto response = operation_outcome(
      403, "forbidden", fmt::format("the token's scopes do not allow this; it needs {}", needed));
    response.headers.set("WWW-Authenticate", insufficient_scope_challenge(needed));
    return response;
  }
  if (interaction == oauth::Interaction::search) {
    return search(context, request, type, access == Access::compartment ? token->patient : std::string());
  }
  const auto* item = context.dataset.find(type, parts[1]);
  if (item != nullptr && access == Access::compartment && !in_compartment(*item, token->patient)) {
    const auto needed = needed_scope(type, interaction);
    auto response =
      operation_outcome(403, "forbidden", "the resource is outside the token's patient compartment");
    response.headers.set("WWW-Authenticate", insufficient_scope_challenge(needed));
    return response;
  }
  if (item == nullptr) {
    return operation_outcome(
      404, "not-found",
      fmt::format("{}/{} is not known", type,
                  Json(std::string(parts[1])).dump(-1, ' ', false, Json::error_handler_t::replace)));
  }
  return raw_json_response(200, item->json, k_fhir_json);
}

} // namespace oauthctl::server
