// SPDX-License-Identifier: MIT
#include <oauthctl/oauth/token_response.hpp>
#include <oauthctl/oauth/www_authenticate.hpp>
#include <oauthctl/util/text.hpp>

#include <fmt/format.h>

#include <cmath>

namespace oauthctl::oauth {

namespace {

using util::ErrorKind;

// Server-supplied text ends up on the user's terminal as one line.
using util::printable_line;

util::Error bad_response(std::string message) {
  return util::Error{ErrorKind::bad_response, std::move(message), {}, {}, 0};
}

std::string content_type(const http::Response& response) {
  return response.headers.get("Content-Type").value_or("no Content-Type");
}

// Reads an optional string member; a present member of another type is malformed.
util::Result<std::string> optional_string(const nlohmann::json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) {
    return std::string();
  }
  if (!it->is_string()) {
    return tl::unexpected(
      bad_response(fmt::format("token response member \"{}\" is a {}, not a string", name, it->type_name())));
  }
  return it->get<std::string>();
}

// RFC 6749 §5.1 makes expires_in a number of seconds; some servers send it as a string.
// Anything negative, fractional or beyond ~68 years is not a lifetime.
util::Result<std::optional<long long>> parse_expires_in(const nlohmann::json& object) {
  constexpr long long k_max = 2'147'483'647;
  const auto it = object.find("expires_in");
  if (it == object.end() || it->is_null()) {
    return std::optional<long long>();
  }
  const auto invalid = [&] {
    return tl::unexpected(bad_response(
      fmt::format("token response has an invalid expires_in: {}", printable_line(it->dump(), 40))));
  };
  if (it->is_number_unsigned()) {
    const auto value = it->get<unsigned long long>();
    if (value > static_cast<unsigned long long>(k_max)) {
      return invalid();
    }
    return std::optional<long long>(static_cast<long long>(value));
  }
  if (it->is_number_integer()) {
    const auto value = it->get<long long>();
    if (value < 0 || value > k_max) {
      return invalid();
    }
    return std::optional<long long>(value);
  }
  if (it->is_number_float()) {
    const auto value = it->get<double>();
    if (!std::isfinite(value) || value < 0 || value > double(k_max) || std::floor(value) != value) {
      return invalid();
    }
    return std::optional<long long>(static_cast<long long>(value));
  }
  if (it->is_string()) {
    const auto& text = it->get_ref<const std::string&>();
    if (text.empty() || text.size() > 10 || text.find_first_not_of("0123456789") != std::string::npos) {
      return invalid();
    }
    const auto value = std::stoll(text);
    if (value > k_max) {
      return invalid();
    }
    return std::optional<long long>(value);
  }
  return invalid();
}

util::Error oauth_error(const nlohmann::json& body, int status) {
  util::Error error;
  error.kind = ErrorKind::oauth;
  error.oauth_error = printable_line(body["error"].get<std::string>(), 100);
  const auto description = body.find("error_description");
  if (description != body.end() && description->is_string()) {
    error.oauth_error_description = printable_line(description->get<std::string>());
  }
  error.http_status = status;
  error.message = util::describe(error);
  return error;
}

} // namespace

util::Error parse_error_response(const http::Response& response) {
  const auto body = nlohmann::json::parse(response.body, nullptr, false);
  if (!body.is_discarded() && body.is_object() && body.contains("error") && body["error"].is_string()) {
    return oauth_error(body, response.status);
  }
  // RFC 6750 §3: a resource server (or a token endpoint behind one) may put the error in
  // WWW-Authenticate only.
  if (const auto header = response.headers.get("WWW-Authenticate")) {
    if (const auto challenge = parse_www_authenticate(*header)) {
      if (const auto it = challenge->params.find("error"); it != challenge->params.end()) {
        util::Error error;
        error.kind = ErrorKind::oauth;
        error.oauth_error = printable_line(it->second, 100);
        if (const auto d = challenge->params.find("error_description"); d != challenge->params.end()) {
          error.oauth_error_description = printable_line(d->second);
        }
        error.http_status = response.status;
        error.message = util::describe(error);
        return error;
      }
    }
  }
  return bad_response(fmt::format("server answered HTTP {} ({}) without an OAuth error (RFC 6749 §5.2)",
                                  response.status, printable_line(content_type(response), 80)));
}

util::Result<TokenResponse> parse_token_response(const http::Response& response) {
  if (response.status < 200 || response.status > 299) {
    return tl::unexpected(parse_error_response(response));
  }
  auto body = nlohmann::json::parse(response.body, nullptr, false);
  if (body.is_discarded()) {
    return tl::unexpected(
      bad_response(fmt::format("token response (HTTP {}, {}) is not JSON", response.status,
                               printable_line(content_type(response), 80))));
  }
  if (!body.is_object()) {
    return tl::unexpected(
      bad_response(fmt::format("token response is a JSON {}, not an object", body.type_name())));
  }
  // Some servers answer 200 with an error object; RFC 6749 §5.2 says 400, but the
  // error is what the user needs to see either way.
  if (body.contains("error") && body["error"].is_string()) {
    return tl::unexpected(oauth_error(body, response.status));
  }
  TokenResponse token;
  const auto access_token = body.find("access_token");
  if (access_token == body.end()) {
    return tl::unexpected(bad_response("token response has no access_token (RFC 6749 §5.1)"));
  }
  if (!access_token->is_string() || access_token->get_ref<const std::string&>().empty()) {
    return tl::unexpected(bad_response("token response access_token is not a non-empty string"));
  }
  token.access_token = access_token->get<std::string>();
  const auto token_type = body.find("token_type");
  if (token_type == body.end()) {
    return tl::unexpected(bad_response("token response has no token_type (RFC 6749 §5.1)"));
  }
  if (!token_type->is_string() || token_type->get_ref<const std::string&>().empty()) {
    return tl::unexpected(bad_response("token response token_type is not a non-empty string"));
  }
  token.token_type = token_type->get<std::string>();
  auto expires_in = parse_expires_in(body);
  if (!expires_in) {
    return tl::unexpected(expires_in.error());
  }
  token.expires_in = *expires_in;
  for (const auto& [name, field] :
       {std::pair{"refresh_token", &token.refresh_token}, std::pair{"scope", &token.scope},
        std::pair{"id_token", &token.id_token}, std::pair{"issued_token_type", &token.issued_token_type}}) {
    auto value = optional_string(body, name);
    if (!value) {
      return tl::unexpected(value.error());
    }
    *field = std::move(*value);
  }
  token.raw = std::move(body);
  return token;
}

} // namespace oauthctl::oauth
