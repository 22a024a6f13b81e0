// SPDX-License-Identifier: MIT
#include <oauthctl/http/url.hpp>
#include <oauthctl/oauth/fhir_client.hpp>
#include <oauthctl/oauth/token_response.hpp>
#include <oauthctl/oauth/www_authenticate.hpp>
#include <oauthctl/util/form.hpp>
#include <oauthctl/util/text.hpp>

#include <fmt/format.h>

#include <cctype>

namespace oauthctl::oauth {

namespace {

using util::ErrorKind;

using util::printable_line;

std::string string_member(const nlohmann::json& object, const char* name) {
  if (!object.is_object()) {
    return {};
  }
  const auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

} // namespace

util::Result<std::string> check_fhir_path(std::string_view path) {
  const auto reject = [&](std::string_view why) {
    return util::fail(ErrorKind::usage,
                      fmt::format("invalid FHIR path \"{}\": {}", printable_line(path, 100), why));
  };
  if (path.substr(0, 2) == "//") {
    return reject("it names another host");
  }
  while (!path.empty() && path.front() == '/') {
    path.remove_prefix(1);
  }
  if (path.empty()) {
    return reject("it is empty (try Patient, Patient/<id> or 'Patient?name=...')");
  }
  for (const char c : path) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F) {
      return reject("it contains a space or a control character (percent-encode query values)");
    }
    if (c == '\\' || c == '#') {
      return reject("it contains '\\' or '#'");
    }
  }
  // A scheme ("http:", "javascript:") before any '/' or '?' would make this an absolute
  // URL and send the token to another server (RFC 3986 §4.2).
  const auto first_special = path.find_first_of("/?:");
  if (first_special != std::string_view::npos && path[first_special] == ':') {
    return reject("it has a scheme; give a path relative to --fhir-url");
  }
  // Path traversal out of the FHIR base (RFC 3986 §5.2.4), also percent-encoded.
  const auto route = path.substr(0, path.find('?'));
  std::size_t pos = 0;
  while (pos <= route.size()) {
    const auto end = std::min(route.find('/', pos), route.size());
    const auto segment = route.substr(pos, end - pos);
    const auto decoded = util::percent_decode(segment, false);
    if (!decoded || *decoded == ".." || *decoded == "." || decoded->find('/') != std::string::npos) {
      return reject("'..', '.' and encoded '/' are not allowed in its segments");
    }
    pos = end + 1;
  }
  return std::string(path);
}

util::Result<http::Response> fhir_get(http::Client& client, std::string_view fhir_base, std::string_view path,
                                      std::string_view access_token) {
  http::Request request;
  request.url = http::join_url(fhir_base, path);
  request.headers.add("Accept", "application/fhir+json");
  request.headers.add("Authorization", fmt::format("Bearer {}", access_token));
  auto response = client.send(request);
  if (!response) {
    return response;
  }
  if (response->status >= 400) {
    auto error = parse_fhir_error(*response);
    if (error.oauth_error.empty()) {
      error.message += fmt::format(" for {}", request.url);
    }
    return tl::unexpected(std::move(error));
  }
  return response;
}

util::Error parse_fhir_error(const http::Response& response) {
  util::Error error;
  error.kind = ErrorKind::oauth;
  error.http_status = response.status;
  // RFC 6750 §3.1: the reason a token was refused is in the challenge.
  if (const auto header = response.headers.get("WWW-Authenticate")) {
    if (const auto challenge = parse_www_authenticate(*header)) {
      if (const auto it = challenge->params.find("error"); it != challenge->params.end()) {
        error.oauth_error = printable_line(it->second, 100);
      }
      if (const auto it = challenge->params.find("error_description"); it != challenge->params.end()) {
        error.oauth_error_description = printable_line(it->second);
      }
    }
  }
  const auto body = nlohmann::json::parse(response.body, nullptr, false);
  if (!body.is_discarded() && body.is_object()) {
    if (string_member(body, "resourceType") == "OperationOutcome" && body.contains("issue") &&
        body["issue"].is_array() && !body["issue"].empty()) {
      const auto& issue = body["issue"][0];
      auto text = string_member(issue, "diagnostics");
      if (text.empty() && issue.is_object() && issue.contains("details")) {
        text = string_member(issue["details"], "text");
      }
      const auto code = string_member(issue, "code");
      if (error.oauth_error.empty()) {
        error.oauth_error = printable_line(code.empty() ? "error" : code, 100);
      }
      if (error.oauth_error_description.empty()) {
        error.oauth_error_description = printable_line(text.empty() ? code : text);
      }
    } else if (error.oauth_error.empty() && body.contains("error") && body["error"].is_string()) {
      return parse_error_response(response);
    }
  }
  if (error.oauth_error.empty()) {
    error.message = fmt::format("FHIR server answered HTTP {}", response.status);
  } else {
    error.message = util::describe(error);
  }
  return error;
}

util::Result<BundleSummary> summarize_bundle(std::string_view body, std::size_t limit) {
  const auto document = nlohmann::json::parse(body, nullptr, false);
  if (document.is_discarded() || !document.is_object() ||
      string_member(document, "resourceType") != "Bundle") {
    return util::fail(ErrorKind::bad_response, "the FHIR response is not a JSON Bundle");
  }
  BundleSummary summary;
  summary.type = string_member(document, "type");
  if (const auto it = document.find("total"); it != document.end() && it->is_number_integer()) {
    summary.total = it->get<long long>();
  }
  if (const auto it = document.find("entry"); it != document.end() && it->is_array()) {
    summary.entries = it->size();
    for (const auto& entry : *it) {
      if (summary.first_ids.size() >= limit) {
        break;
      }
      if (entry.is_object() && entry.contains("resource")) {
        const auto& resource = entry["resource"];
        summary.first_ids.push_back(printable_line(
          fmt::format("{}/{}", string_member(resource, "resourceType"), string_member(resource, "id")), 100));
      }
    }
  }
  return summary;
}

} // namespace oauthctl::oauth
