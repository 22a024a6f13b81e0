// SPDX-License-Identifier: MIT
#include "server/exchange.hpp"

#include <cctype>

namespace oauthctl::server {

ServerResponse json_response(int status, const nlohmann::json& body) {
  ServerResponse response;
  response.status = status;
  // Replace invalid UTF-8 rather than throw: echoed input must never crash a handler.
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

ServerResponse raw_json_response(int status, std::string body, std::string_view content_type) {
  ServerResponse response;
  response.status = status;
  response.content_type = std::string(content_type);
  response.body = std::move(body);
  return response;
}

ServerResponse oauth_error(int status, std::string_view error, std::string_view description) {
  nlohmann::json body{{"error", error}};
  if (!description.empty()) {
    body["error_description"] = description;
  }
  auto response = json_response(status, body);
  add_no_store(response);
  return response;
}

ServerResponse overloaded_error() {
  auto response =
    oauth_error(503, "temporarily_unavailable", "the server is busy checking credentials; retry shortly");
  response.headers.set("Retry-After", "1");
  return response;
}

void add_no_store(ServerResponse& response) {
  response.headers.set("Cache-Control", "no-store");
  response.headers.set("Pragma", "no-cache");
}

std::string media_type(std::string_view content_type) {
  const auto semicolon = content_type.find(';');
  std::string out;
  for (const char c : content_type.substr(0, semicolon)) {
    if (c != ' ' && c != '\t') {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

} // namespace oauthctl::server
