// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/http/message.hpp>
#include <oauthctl/util/error.hpp>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace oauthctl::oauth {

// A successful token endpoint response (RFC 6749 §5.1, RFC 8693 §2.2.1).
struct TokenResponse {
  std::string access_token;
  std::string token_type;
  std::optional<long long> expires_in;
  std::string refresh_token;
  std::string scope;
  std::string id_token;
  std::string issued_token_type;
  nlohmann::json raw; // the whole JSON object as the server sent it
};

// Reads a token endpoint response. 2xx with a JSON object holding access_token and
// token_type → TokenResponse; a JSON body with `error` → `oauth` error carrying error,
// error_description and the HTTP status (RFC 6749 §5.2); anything else → `bad_response`.
[[nodiscard]] util::Result<TokenResponse> parse_token_response(const http::Response& response);

// The `oauth` error a non-2xx response carries, or `bad_response` when its body is not
// an RFC 6749 §5.2 error object. Used for every endpoint that answers with OAuth errors.
[[nodiscard]] util::Error parse_error_response(const http::Response& response);

} // namespace oauthctl::oauth
