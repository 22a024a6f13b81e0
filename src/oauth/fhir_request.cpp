// SPDX-License-Identifier: MIT
#include <oauthctl/http/url.hpp>
#include <oauthctl/oauth/fhir_client.hpp>
#include <oauthctl/oauth/fhir_request.hpp>
#include <oauthctl/util/text.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cctype>

namespace oauthctl::oauth {

namespace {

using util::ErrorKind;

bool is_hex(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}

// RFC 3986 §3.4 query characters that may stay as they are, minus '&' and '=' (which
// structure the query) and '+' (a space to some servers, a plus to others).
bool query_safe(char c) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) != 0 || std::string_view("-._~!$'()*,;:@/?|").find(c) != std::string_view::npos;
}

std::string encode_component(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (query_safe(c) || (c == '%' && i + 2 < text.size() && is_hex(text[i + 1]) && is_hex(text[i + 2]))) {
      out += c;
    } else {
      out += fmt::format("%{:02X}", static_cast<unsigned>(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

std::string without_trailing_slashes(std::string text) {
  while (!text.empty() && text.back() == '/') {
    text.pop_back();
  }
  return text;
}

} // namespace

std::string encode_fhir_query(std::string_view path) {
  const auto question = path.find('?');
  if (question == std::string_view::npos) {
    return std::string(path);
  }
  std::string out(path.substr(0, question + 1));
  auto query = path.substr(question + 1);
  std::size_t start = 0;
  while (start <= query.size()) {
    const auto end = std::min(query.find('&', start), query.size());
    const auto pair = query.substr(start, end - start);
    const auto eq = pair.find('=');
    if (start > 0) {
      out += '&';
    }
    if (eq == std::string_view::npos) {
      out += encode_component(pair);
    } else {
      out += encode_component(pair.substr(0, eq)) + "=" + encode_component(pair.substr(eq + 1));
    }
    start = end + 1;
  }
  return out;
}

std::string fhir_base_of_url(std::string_view target) {
  const auto url = http::parse_url(target);
  if (!url) {
    return {};
  }
  const auto& path = url->path;
  std::size_t pos = 1;
  while (pos < path.size()) {
    const auto end = std::min(path.find('/', pos), path.size());
    const auto segment = std::string_view(path).substr(pos, end - pos);
    if (!segment.empty() && (std::isupper(static_cast<unsigned char>(segment.front())) != 0 ||
                             segment == "metadata" || segment.front() == '_' || segment.front() == '$')) {
      return url->origin() + path.substr(0, pos - 1);
    }
    pos = end + 1;
  }
  return {};
}

util::Result<std::string> fhir_request_url(std::string_view fhir_base, std::string_view target) {
  std::string relative;
  if (target.substr(0, 7) == "http://" || target.substr(0, 8) == "https://") {
    const auto base = without_trailing_slashes(std::string(fhir_base));
    const auto base_url = http::parse_url(base);
    // Compare origins and paths parsed, so case and default ports do not matter.
    const auto question = target.find('?');
    const auto target_url = http::parse_url(target.substr(0, question));
    const auto base_path = base_url ? without_trailing_slashes(base_url->path) : std::string();
    if (!base_url || !target_url || target_url->origin() != base_url->origin() ||
        target_url->path.compare(0, base_path.size(), base_path) != 0 ||
        (target_url->path.size() > base_path.size() && target_url->path[base_path.size()] != '/')) {
      return util::fail(ErrorKind::usage,
                        fmt::format("{} is not under the FHIR base {}: the access token would go to another "
                                    "server (give --fhir-url)",
                                    util::printable_line(target, 200), base));
    }
    relative = target_url->path.substr(base_path.size());
    if (question != std::string_view::npos) {
      relative += std::string(target.substr(question));
    }
  } else {
    relative = std::string(target);
  }
  auto checked = check_fhir_path(encode_fhir_query(relative));
  if (!checked) {
    return tl::unexpected(checked.error());
  }
  return http::join_url(fhir_base, *checked);
}

util::Result<http::Response> fhir_send(http::Client& client, const FhirRequest& request,
                                       std::string_view access_token) {
  http::Request http_request;
  http_request.method = request.method;
  http_request.url = request.url;
  http_request.headers.add("Accept", "application/fhir+json");
  http_request.headers.add("Authorization", fmt::format("Bearer {}", access_token));
  if (!request.body.empty()) {
    http_request.headers.add("Content-Type", "application/fhir+json");
    http_request.body = request.body;
  }
  return client.send(http_request);
}

bool is_operation_outcome(const http::Response& response) {
  const auto body = nlohmann::json::parse(response.body, nullptr, false);
  return !body.is_discarded() && body.is_object() && body.value("resourceType", "") == "OperationOutcome";
}

} // namespace oauthctl::oauth
