// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/http/client.hpp>
#include <oauthctl/oauth/jwt.hpp>
#include <oauthctl/oauth/metadata.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace oauthctl::oauth {

// What `flow` learns about an access token by looking inside it.
struct TokenInspection {
  std::optional<Jwt> jwt;   // empty when the token is not a JWT (opaque tokens are fine)
  std::string decode_error; // why it is not a JWT, when it is not
  enum class Signature { valid, invalid, unchecked } signature = Signature::unchecked;
  std::string signature_detail; // "kid abc via <jwks_uri>" or why it is invalid/unchecked
  std::string claims_problem;   // the first exp/nbf/iss failure, empty when they hold
};

// Decodes `access_token` and, when it is a JWT, checks its signature through the JWK Set
// at `metadata.jwks_uri` (one GET with `client`) and its exp/nbf/iss against `now`
// (seconds since the epoch). Never fails: every problem is reported in the result.
TokenInspection inspect_access_token(http::Client& client, const ServerMetadata& metadata,
                                     std::string_view access_token, std::int64_t now);

} // namespace oauthctl::oauth
